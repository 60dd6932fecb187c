package io.rkllm.gateway.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 client on a bare {@link Socket}: writes the request itself, reads the status line and headers, and
 * decodes {@code Transfer-Encoding: chunked} (or {@code Content-Length}) itself, so tests see the bytes exactly as
 * the server sent them and can drop the connection abruptly; plain JSON calls go through {@link #post}.
 */
final class RawHttp implements Closeable {

    /** How long any single read may block before the test fails instead of hanging. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    private static final HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private final Socket socket;

    private final InputStream in;

    private @Nullable Head head;

    private @Nullable InputStream body;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    /** A connection to the service on localhost. */
    static RawHttp connect(int port) throws IOException {
        return connect(port, 0);
    }

    /**
     * A connection to the service on localhost.
     *
     * @param receiveBufferSize the socket's receive buffer, set before connecting (0 for the system's)
     */
    static RawHttp connect(int port, int receiveBufferSize) throws IOException {
        Socket socket = new Socket();
        if (receiveBufferSize > 0) {
            socket.setReceiveBufferSize(receiveBufferSize);
        }
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        socket.connect(new InetSocketAddress("localhost", port), 5000);
        return new RawHttp(socket);
    }

    /**
     * Writes a request; a body gets a {@code Content-Length}, and {@code Host} is added. On a kept-alive connection,
     * read the previous answer's body whole first: {@link #head} and {@link #body} then belong to this request.
     */
    RawHttp send(String method, String target, Map<String, String> headers, byte @Nullable [] body)
            throws IOException {
        this.head = null;
        this.body = null;
        StringBuilder request = new StringBuilder();
        request.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        request.append("Host: localhost:").append(this.socket.getPort()).append("\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        if (body != null) {
            request.append("Content-Length: ").append(body.length).append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = this.socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
        return this;
    }

    /** Writes a {@code GET}. */
    RawHttp get(String target, Map<String, String> headers) throws IOException {
        return send("GET", target, headers, null);
    }

    /** Writes a {@code POST} of a JSON text. */
    RawHttp post(String target, Map<String, String> headers, String json) throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Content-Type", "application/json");
        all.putAll(headers);
        return send("POST", target, all, json.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes bytes as they are: the protocol the connection was upgraded to. */
    void write(byte[] bytes) throws IOException {
        OutputStream out = this.socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** The status line and headers, read on first use. */
    Head head() throws IOException {
        if (this.head == null) {
            String statusLine = readLine(this.in);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x status line: " + statusLine);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = readLine(this.in); !line.isEmpty(); line = readLine(this.in)) {
                int colon = line.indexOf(':');
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                headers.merge(name, line.substring(colon + 1).trim(), (first, second) -> first + ", " + second);
            }
            this.head = new Head(Integer.parseInt(parts[1]), headers);
        }
        return this.head;
    }

    /** The decoded body as it arrives; ends (-1) after the last chunk, the declared length or the connection. */
    InputStream body() throws IOException {
        if (this.body == null) {
            Head response = head();
            String length = response.header("content-length");
            if ("chunked".equalsIgnoreCase(response.header("transfer-encoding"))) {
                this.body = new ChunkedInputStream(this.in);
            }
            else if (length != null) {
                this.body = new BoundedInputStream(this.in, Long.parseLong(length));
            }
            else {
                this.body = this.in;
            }
        }
        return this.body;
    }

    /** The whole decoded body. */
    byte[] readBody() throws IOException {
        return body().readAllBytes();
    }

    /** Bytes received but not read yet, as far as the socket knows without blocking. */
    int available() throws IOException {
        return this.in.available();
    }

    /** Drops the connection at once: a reset, no orderly close, as a client that goes away. */
    @Override
    public void close() throws IOException {
        if (this.socket.isClosed()) {
            return;
        }
        try {
            this.socket.setSoLinger(true, 0);
        }
        catch (SocketException ex) {
            // Already broken: closing is all that is left.
        }
        this.socket.close();
    }

    /** A plain JSON {@code POST} to {@code /rpc} with {@link HttpClient}: status and body. */
    static Answer post(int port, String json) throws IOException, InterruptedException {
        return post(port, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A plain {@code POST} of raw bytes (invalid UTF-8, oversized bodies) to {@code /rpc}. */
    static Answer post(int port, byte[] body) throws IOException, InterruptedException {
        return post(port, body, Map.of());
    }

    /** A plain {@code POST} of raw bytes to {@code /rpc}, with extra headers. */
    static Answer post(int port, byte[] body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/rpc"))
            .timeout(READ_TIMEOUT)
            .header("Content-Type", "application/json");
        headers.forEach(builder::header);
        HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(),
                response.headers().firstValue("Content-Type").orElse(null));
    }

    /** A plain {@code GET} with {@link HttpClient} (Actuator endpoints): status and body. */
    static Answer get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(READ_TIMEOUT)
            .GET()
            .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(),
                response.headers().firstValue("Content-Type").orElse(null));
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed in the middle of a line");
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = (bytes.length > 0 && bytes[bytes.length - 1] == '\r') ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }

    /**
     * The status line and headers of a response.
     *
     * @param headers by lower-case name; repeated headers joined with ", "
     */
    record Head(int status, Map<String, String> headers) {

        @Nullable String header(String name) {
            return this.headers.get(name.toLowerCase(Locale.ROOT));
        }

    }

    /**
     * A response to a plain call.
     *
     * @param contentType the {@code Content-Type} header, if any
     */
    record Answer(int status, String body, @Nullable String contentType) {
    }

    /** Decodes {@code Transfer-Encoding: chunked}, handing out each chunk's bytes as soon as they are read. */
    private static final class ChunkedInputStream extends InputStream {

        private final InputStream in;

        private long remaining;

        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xFF);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (!nextChunk()) {
                return -1;
            }
            int count = this.in.read(buffer, offset, (int) Math.min(length, this.remaining));
            if (count < 0) {
                throw new EOFException("connection closed inside a chunk");
            }
            this.remaining -= count;
            if (this.remaining == 0 && !readLine(this.in).isEmpty()) {
                throw new IOException("a chunk does not end with CRLF");
            }
            return count;
        }

        private boolean nextChunk() throws IOException {
            while (!this.done && this.remaining == 0) {
                String sizeLine = readLine(this.in);
                int extension = sizeLine.indexOf(';');
                long size = Long.parseLong(((extension >= 0) ? sizeLine.substring(0, extension) : sizeLine).trim(), 16);
                if (size == 0) {
                    for (String trailer = readLine(this.in); !trailer.isEmpty(); trailer = readLine(this.in)) {
                        // Trailers are skipped.
                    }
                    this.done = true;
                }
                this.remaining = size;
            }
            return !this.done;
        }

    }

    /** The {@code Content-Length} bytes of a body. */
    private static final class BoundedInputStream extends InputStream {

        private final InputStream in;

        private long remaining;

        BoundedInputStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xFF);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (this.remaining == 0) {
                return -1;
            }
            int count = this.in.read(buffer, offset, (int) Math.min(length, this.remaining));
            if (count < 0) {
                throw new EOFException("connection closed before the declared length");
            }
            this.remaining -= count;
            return count;
        }

    }

}
