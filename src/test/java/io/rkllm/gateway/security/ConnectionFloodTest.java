package io.rkllm.gateway.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Over real sockets: past the connection cap new connections get a clear 503 and are closed, while health probes
 * and a running stream keep answering and new stream readers (SSE, WebSocket) still get in, up to the stream cap
 * that both count against; a request that stops halfway is dropped after the read timeout.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.limits.max-connections=12", "rkllm.limits.max-streams=2",
                "rkllm.limits.read-timeout=1s", "rkllm.limits.request-timeout=2s" })
class ConnectionFloodTest {

    private static final String ENDLESS = "flood [[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=100000]]";

    private static final String WEBSOCKET_HANDSHAKE = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

    private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";

    @LocalServerPort
    private int port;

    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeEverything() throws IOException {
        for (Socket socket : this.sockets) {
            socket.close();
        }
        new HttpCalls(this.port).postJson("/rpc", Map.of(),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_abort\"}");
    }

    @Test
    void pastTheCapNewSocketsAreRefusedWhileHealthAndARunningStreamKeepAnswering() throws IOException {
        String session = new HttpCalls(this.port).postJson("/rpc", Map.of(),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_run_async\",\"params\":{\"prompt_input\":\""
                        + ENDLESS + "\"}}")
            .json()
            .at("/result/session_id")
            .asString();
        SseReader running = new SseReader(open(), session);
        running.awaitChunks(3);

        int held = 0;
        String refusal = null;
        for (int i = 0; i < 40 && refusal == null; i++) {
            Answer answer = exchange(open(), post(PING));
            if (answer.status() == 200) {
                held++;
            }
            else {
                refusal = answer.status() + " " + answer.body();
            }
        }
        assertThat(refusal).as("a connection past the cap is refused").isNotNull().startsWith("503 ")
            .contains("rkllm.limits.max-connections").contains("\"code\":-32000");
        assertThat(held).isLessThanOrEqualTo(12);

        for (int i = 0; i < 5; i++) {
            Socket socket = open();
            Answer answer = exchange(socket, post(PING));
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.headers()).containsIgnoringCase("connection: close");
            assertThat(socket.getInputStream().read()).as("closed after the refusal").isEqualTo(-1);
        }
        for (int i = 0; i < 3; i++) {
            Answer health = exchange(open(), "GET /actuator/health/liveness HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(health.status()).as("health past the cap").isEqualTo(200);
            assertThat(health.body()).contains("UP");
        }
        int before = running.chunks();
        running.awaitChunks(before + 5);

        SseReader second = new SseReader(open(), session);
        second.awaitChunks(1);
        Answer third = exchange(open(), "GET /streams/" + session + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(third.status()).as("a third stream past max-streams 2").isEqualTo(503);
        assertThat(third.body()).contains("rkllm.limits.max-streams");
        second.socket().close();
        Socket webSocket = await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(this::open,
                (socket) -> exchange(socket, WEBSOCKET_HANDSHAKE, true).status() == 101);
        Answer fourth = exchange(open(), "GET /streams/" + session + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(fourth.status()).as("a WebSocket past the connection cap holds the freed stream").isEqualTo(503);
        webSocket.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> exchange(open(),
                "GET /streams/" + session + " HTTP/1.1\r\nHost: x\r\n\r\n", true).status() == 200);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aRequestThatStopsHalfwayIsDroppedAfterTheReadTimeout(CapturedOutput output) throws IOException {
        Socket socket = open();
        socket.getOutputStream().write(("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 500\r\n\r\n{\"jsonrpc\":\"2.0\",").getBytes(StandardCharsets.US_ASCII));
        long start = System.nanoTime();

        InputStream in = socket.getInputStream();
        int read;
        try {
            while ((read = in.read()) >= 0) {
                // A 408 or 400 the server may send before closing is fine; the close is what counts.
            }
        }
        catch (SocketException ex) {
            read = -1;
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - start);

        assertThat(read).isEqualTo(-1);
        assertThat(waited).as("closed by the read timeout, not at once").isGreaterThan(Duration.ofMillis(800))
            .isLessThan(Duration.ofSeconds(10));
        assertThat(exchange(open(), post(PING)).status()).isEqualTo(200);
        assertThat(output).as("the client's doing, not a server error").doesNotContain("500 Server Error")
            .doesNotContain("ReadTimeoutException");
    }

    private Socket open() {
        try {
            Socket socket = new Socket();
            socket.setSoTimeout(15_000);
            socket.connect(new InetSocketAddress("localhost", this.port), 5000);
            this.sockets.add(socket);
            return socket;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static String post(String json) {
        return "POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + json.length() + "\r\n\r\n" + json;
    }

    private static Answer exchange(Socket socket, String request) {
        return exchange(socket, request, false);
    }

    /** Sends a request and reads the head and a body of its Content-Length (or only the head, when streaming). */
    private static Answer exchange(Socket socket, String request, boolean headOnly) {
        try {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            int status = Integer.parseInt(head.substring(9, 12));
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            if (headOnly) {
                return new Answer(status, head, "");
            }
            return new Answer(status, head, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the end of the head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private record Answer(int status, String headers, String body) {
    }

    /** Reads a session's SSE stream on a socket of its own, counting chunk events. */
    private record SseReader(Socket socket, InputStream in, int[] count) {

        SseReader(Socket socket, String session) throws IOException {
            this(socket, socket.getInputStream(), new int[1]);
            socket.getOutputStream()
                .write(("GET /streams/" + session + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = readHead(this.in);
            assertThat(head).startsWith("HTTP/1.1 200");
        }

        int chunks() {
            return this.count[0];
        }

        void awaitChunks(int atLeast) throws IOException {
            StringBuilder line = new StringBuilder();
            try {
                while (this.count[0] < atLeast) {
                    int b = this.in.read();
                    if (b < 0) {
                        throw new IOException("stream closed after " + this.count[0] + " chunks");
                    }
                    if (b == '\n') {
                        if (line.toString().contains("event: chunk")) {
                            this.count[0]++;
                        }
                        line.setLength(0);
                    }
                    else {
                        line.append((char) b);
                    }
                }
            }
            catch (SocketTimeoutException ex) {
                throw new AssertionError("no chunk for 15 s after " + this.count[0], ex);
            }
        }

    }

}
