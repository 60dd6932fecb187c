package io.rkllm.gateway.web;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebSocket client on a plain socket ({@link RawHttp}) that reads a frame only when asked: with a small receive
 * buffer it stands for a client that stops reading, and its frames show exactly what the service wrote.
 */
final class RawWebSocket implements Closeable {

    static final int CLOSE = 0x8;

    private final RawHttp http;

    private final DataInputStream in;

    private RawWebSocket(RawHttp http) throws IOException {
        this.http = http;
        this.in = new DataInputStream(http.body());
    }

    /**
     * Opens {@code /ws}.
     *
     * @param receiveBufferSize the socket's receive buffer (0 for the system's)
     */
    static RawWebSocket open(int port, int receiveBufferSize) throws IOException {
        RawHttp http = handshake(RawHttp.connect(port, receiveBufferSize), Map.of());
        assertThat(http.head().status()).as("handshake status").isEqualTo(101);
        return new RawWebSocket(http);
    }

    /** Opens {@code /ws}, which must answer its handshake with 101. */
    static RawWebSocket open(int port) throws IOException {
        return open(port, 0);
    }

    /** Writes the handshake of {@code /ws} with these headers added; the answer is left to read. */
    static RawHttp handshake(RawHttp http, Map<String, String> headers) throws IOException {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        Map<String, String> all = new LinkedHashMap<>(Map.of("Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", Base64.getEncoder().encodeToString(key)));
        all.putAll(headers);
        return http.get("/ws", all);
    }

    /** Sends a text frame, masked as a client must. */
    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | 0x1);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        }
        else if (payload.length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        }
        else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        this.http.write(frame.toByteArray());
    }

    /** The next frame the service sent (server frames are not masked). */
    Frame next() throws IOException {
        int first = this.in.readUnsignedByte();
        int second = this.in.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
            length = this.in.readUnsignedShort();
        }
        else if (length == 127) {
            length = this.in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        this.in.readFully(payload);
        return new Frame(first & 0x0F, payload);
    }

    @Override
    public void close() throws IOException {
        this.http.close();
    }

    /** A frame as received. */
    record Frame(int opcode, byte[] payload) {

        boolean isText() {
            return this.opcode == 0x1;
        }

        JsonNode json() {
            return JsonMapper.shared().readTree(this.payload);
        }

        /** The status code of a close frame. */
        int closeCode() {
            return ((this.payload[0] & 0xFF) << 8) | (this.payload[1] & 0xFF);
        }

    }

}
