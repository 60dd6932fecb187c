package io.rkllm.gateway.nativebridge;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes UTF-8 arriving in pieces: a character split across two pieces is held back until it is complete, so it is
 * never mangled. Not thread-safe; one per run.
 */
final class Utf8StreamDecoder {

    private static final byte[] NONE = new byte[0];

    private byte[] pending = NONE;

    /** Decodes {@code bytes} after whatever was held back, holding back an incomplete character at the end. */
    String decode(byte[] bytes) {
        byte[] data = bytes;
        if (this.pending.length > 0) {
            data = Arrays.copyOf(this.pending, this.pending.length + bytes.length);
            System.arraycopy(bytes, 0, data, this.pending.length, bytes.length);
        }
        int complete = completePrefixLength(data);
        this.pending = (complete == data.length) ? NONE : Arrays.copyOfRange(data, complete, data.length);
        return new String(data, 0, complete, StandardCharsets.UTF_8);
    }

    /** What is still held back, as U+FFFD; empty when the stream ended on a character boundary. */
    String flush() {
        String rest = new String(this.pending, StandardCharsets.UTF_8);
        this.pending = NONE;
        return rest;
    }

    private static int completePrefixLength(byte[] data) {
        int end = data.length;
        for (int i = end - 1; i >= Math.max(0, end - 3); i--) {
            int b = data[i] & 0xFF;
            if (b < 0x80) {
                return end;
            }
            if (b >= 0xC0) {
                int length = (b >= 0xF8) ? 1 : (b >= 0xF0) ? 4 : (b >= 0xE0) ? 3 : 2;
                return (end - i >= length) ? end : i;
            }
        }
        return end;
    }

}
