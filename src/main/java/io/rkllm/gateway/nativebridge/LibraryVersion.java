package io.rkllm.gateway.nativebridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runtime version carried by a library file. The C API has no version query, and the line the runtime logs at
 * init ({@code rkllm-runtime version: 1.3.0, ...}) is only a format string in the binary; what Rockchip's files do
 * carry is a build banner, {@code RKLLM SDK (version: 1.2.0 | target: Linux | build: ...)}, so the file is searched
 * for that.
 *
 * @param suffix what follows the patch number, e.g. {@code b1} of a pre-release {@code 1.2.1b1}; empty for a release
 * @param banner the banner as the file carries it, up to its closing parenthesis
 */
public record LibraryVersion(int major, int minor, int patch, String suffix, String banner) {

    private static final String MARKER_TEXT = "RKLLM SDK (version: ";

    private static final byte[] MARKER = MARKER_TEXT.getBytes(StandardCharsets.US_ASCII);

    /** The version, then what ends it in a banner: the space before {@code | target}, or the closing parenthesis. */
    private static final Pattern VERSION = Pattern
        .compile("(\\d{1,9})\\.(\\d{1,9})\\.(\\d{1,9})([0-9A-Za-z.+~-]{0,32})[ |)]");

    /** The rest of the banner: up to its closing parenthesis, or to a control character in a file that breaks it. */
    private static final Pattern REST = Pattern.compile("[^)\\x00-\\x1F]*\\)?");

    /** Bytes after the marker that the version and the rest of the banner are read from. */
    private static final int TAIL = 160;

    /** The file is read through a window of this size; a real librkllmrt.so is several MB. */
    private static final int WINDOW = 64 * 1024;

    /**
     * The first build banner in the file that carries a version number. Reads the file once, front to back, through
     * a small window: this runs at start-up, before the JIT has compiled anything, so the scan is a plain loop over a
     * byte array.
     */
    public static Optional<LibraryVersion> readFrom(Path library) throws IOException {
        try (InputStream in = Files.newInputStream(library)) {
            byte[] window = new byte[WINDOW];
            int filled = 0;
            boolean end = false;
            while (true) {
                while (!end && filled < window.length) {
                    int read = in.read(window, filled, window.length - filled);
                    if (read < 0) {
                        end = true;
                    }
                    else {
                        filled += read;
                    }
                }
                // A marker found here has its whole tail in the window, or the file ends before the tail does.
                int last = end ? filled - MARKER.length : filled - MARKER.length - TAIL;
                for (int at = indexOf(window, 0, last); at >= 0; at = indexOf(window, at + 1, last)) {
                    int start = at + MARKER.length;
                    Optional<LibraryVersion> version = parse(window, start, Math.min(TAIL, filled - start));
                    if (version.isPresent()) {
                        return version;
                    }
                }
                if (end) {
                    return Optional.empty();
                }
                // Keep what may still begin a marker; the window is full here, so last is well inside it.
                int kept = filled - (last + 1);
                System.arraycopy(window, last + 1, window, 0, kept);
                filled = kept;
            }
        }
    }

    /** {@code 1.2.1b1}: the version as the banner spells it. */
    @Override
    public String toString() {
        return this.major + "." + this.minor + "." + this.patch + this.suffix;
    }

    private static Optional<LibraryVersion> parse(byte[] bytes, int start, int length) {
        String tail = new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        Matcher matcher = VERSION.matcher(tail);
        if (!matcher.lookingAt()) {
            return Optional.empty();
        }
        Matcher rest = REST.matcher(tail);
        String banner = MARKER_TEXT + (rest.lookingAt() ? rest.group() : "");
        return Optional.of(new LibraryVersion(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
                Integer.parseInt(matcher.group(3)), matcher.group(4), banner));
    }

    /** The first index in {@code from..last} where the marker starts, or -1. */
    private static int indexOf(byte[] bytes, int from, int last) {
        byte first = MARKER[0];
        for (int i = from; i <= last; i++) {
            if (bytes[i] != first) {
                continue;
            }
            int j = 1;
            while (j < MARKER.length && bytes[i + j] == MARKER[j]) {
                j++;
            }
            if (j == MARKER.length) {
                return i;
            }
        }
        return -1;
    }

}
