package io.rkllm.gateway.nativebridge;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.jspecify.annotations.Nullable;

/**
 * UTF-8 C strings for struct fields. JNA's own String fields use the platform charset, which is ASCII in many
 * containers; the runtime expects UTF-8 whatever the locale, so the bridge allocates these itself.
 */
final class NativeStrings {

    private NativeStrings() {
    }

    /** A NUL-terminated UTF-8 copy, or null for null. The caller keeps the Memory reachable while C may read it. */
    static @Nullable Memory utf8(@Nullable String value) {
        if (value == null) {
            return null;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        Memory memory = new Memory(bytes.length + 1L);
        memory.write(0, bytes, 0, bytes.length);
        memory.setByte(bytes.length, (byte) 0);
        return memory;
    }

    /** The UTF-8 string at {@code pointer}, or null for NULL. */
    static @Nullable String read(@Nullable Pointer pointer) {
        return (pointer != null) ? pointer.getString(0, StandardCharsets.UTF_8.name()) : null;
    }

    /** A file-system path from a client or config value, refusing text that is no path (NUL bytes). */
    static Path path(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new InvalidParameterException(field, "contains a NUL character");
        }
        try {
            return Path.of(value);
        }
        catch (InvalidPathException ex) {
            throw new InvalidParameterException(field, "is not a valid path");
        }
    }

}
