package io.rkllm.gateway.nativebridge;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runtime version carried by a library file. The C API has no version query; the runtime's start-up banner
 * ({@code rkllm-runtime version: 1.3.0}) is a string in the binary, so the file is searched for it.
 */
public record LibraryVersion(int major, int minor, int patch, String banner) {

    private static final byte[] MARKER = "rkllm-runtime version: ".getBytes(StandardCharsets.US_ASCII);

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)[^\\x00]{0,40}");

    /** The first version banner in the file, if it carries one followed by a literal version number. */
    public static Optional<LibraryVersion> readFrom(Path library) throws IOException {
        try (FileChannel channel = FileChannel.open(library, StandardOpenOption.READ)) {
            MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            for (int at = indexOf(bytes, 0); at >= 0; at = indexOf(bytes, at + 1)) {
                Optional<LibraryVersion> version = parseAt(bytes, at + MARKER.length);
                if (version.isPresent()) {
                    return version;
                }
            }
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return this.major + "." + this.minor + "." + this.patch;
    }

    private static Optional<LibraryVersion> parseAt(MappedByteBuffer bytes, int start) {
        byte[] tail = new byte[Math.min(48, bytes.limit() - start)];
        bytes.get(start, tail);
        Matcher matcher = VERSION.matcher(new String(tail, StandardCharsets.ISO_8859_1));
        if (!matcher.lookingAt()) {
            return Optional.empty();
        }
        return Optional.of(new LibraryVersion(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
                Integer.parseInt(matcher.group(3)), "rkllm-runtime version: " + matcher.group()));
    }

    private static int indexOf(MappedByteBuffer bytes, int from) {
        int last = bytes.limit() - MARKER.length;
        outer: for (int i = from; i <= last; i++) {
            for (int j = 0; j < MARKER.length; j++) {
                if (bytes.get(i + j) != MARKER[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

}
