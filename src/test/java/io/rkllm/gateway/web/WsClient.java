package io.rkllm.gateway.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JSON-RPC client of {@code /ws} on the JDK's {@link WebSocket}: answers (objects with an id, batch arrays) and
 * notifications are queued apart as they arrive, the close code the service sent is kept, and pings are counted.
 */
final class WsClient implements AutoCloseable {

    private final BlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();

    private final BlockingQueue<JsonNode> notifications = new LinkedBlockingQueue<>();

    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

    private final AtomicReference<String> closeReason = new AtomicReference<>();

    private final AtomicInteger pings = new AtomicInteger();

    private final WebSocket socket;

    private WsClient(int port, Map<String, String> headers, String... subprotocols) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        headers.forEach(builder::header);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        this.socket = builder.buildAsync(URI.create("ws://localhost:" + port + "/ws"), new Listener()).join();
    }

    static WsClient connect(int port) {
        return connect(port, Map.of());
    }

    /** A socket whose handshake carries these headers (an API key). */
    static WsClient connect(int port, Map<String, String> headers) {
        return new WsClient(port, headers);
    }

    /** A socket whose handshake offers these subprotocols, as a browser's {@code new WebSocket(url, protocols)}. */
    static WsClient connect(int port, String... subprotocols) {
        return new WsClient(port, Map.of(), subprotocols);
    }

    /** The subprotocol the service answered the handshake with; empty for none. */
    String subprotocol() {
        return this.socket.getSubprotocol();
    }

    /** Sends one text frame. */
    void send(String text) {
        this.socket.sendText(text, true).join();
    }

    void sendBinary(byte[] bytes) {
        this.socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** The next answer frame: a response object, or a batch's array of them. */
    JsonNode answer(Duration timeout) throws InterruptedException {
        JsonNode answer = this.answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(answer).as("an answer within %s", timeout).isNotNull();
        return answer;
    }

    /** Sends a request and waits for its answer, which must be the next one. */
    JsonNode call(String method, Map<String, ?> params, Duration timeout) throws InterruptedException {
        JsonNode request = JsonMapper.shared().readTree(GatewayRpc.request(method, params));
        send(request.toString());
        JsonNode response = answer(timeout);
        assertThat(response.get("id")).as("answer to %s", request).isEqualTo(request.get("id"));
        return response;
    }

    /** The result of a call that must succeed. */
    JsonNode result(String method, Map<String, ?> params, Duration timeout) throws InterruptedException {
        JsonNode response = call(method, params, timeout);
        assertThat(response.has("error")).as("%s answered %s", method, response).isFalse();
        return response.get("result");
    }

    /** The next notification, whichever session it is of. */
    JsonNode notification(Duration timeout) throws InterruptedException {
        JsonNode notification = this.notifications.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(notification).as("a notification within %s", timeout).isNotNull();
        return notification;
    }

    /** Notifications up to and including the end chunk of this session's stream; every one must be of it. */
    List<JsonNode> notificationsUntilEnd(String sessionId, Duration timeout) throws InterruptedException {
        List<JsonNode> received = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode notification = notification(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)));
            assertThat(notification.get("params").get("session_id").asString()).as("session of %s", notification)
                .isEqualTo(sessionId);
            received.add(notification);
            if (isEnd(notification)) {
                return received;
            }
        }
    }

    /** The chunks of these notifications, in order. */
    static List<JsonNode> chunks(List<JsonNode> notifications) {
        return notifications.stream()
            .filter((n) -> "rkllm_stream".equals(n.get("method").asString()))
            .map((n) -> n.get("params").get("chunk"))
            .toList();
    }

    static boolean isEnd(JsonNode notification) {
        JsonNode chunk = notification.get("params").get("chunk");
        return chunk != null && chunk.get("end").asBoolean();
    }

    /** Whether a notification is waiting. */
    boolean hasNotification() {
        return !this.notifications.isEmpty();
    }

    int pings() {
        return this.pings.get();
    }

    /** Whether the socket is open: the service has neither closed it nor dropped its connection. */
    boolean isOpen() {
        return !this.closeCode.isDone() && !this.socket.isInputClosed();
    }

    /** The close code the service sent, once it closed the socket. */
    int closeCode(Duration timeout) throws Exception {
        return this.closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The reason that came with the close code, once the service closed the socket. */
    String closeReason(Duration timeout) throws Exception {
        closeCode(timeout);
        return this.closeReason.get();
    }

    /** An orderly close from the client's side (1000), unless the service closed the socket first. */
    @Override
    public void close() {
        if (this.socket.isOutputClosed()) {
            return;
        }
        try {
            this.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }
        catch (CompletionException ex) {
            // The JDK answers the service's close itself, which may close the output between the check and the send.
            if (!this.closeCode.isDone()) {
                throw ex;
            }
        }
    }

    private final class Listener implements WebSocket.Listener {

        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            this.text.append(data);
            if (last) {
                JsonNode frame = JsonMapper.shared().readTree(this.text.toString());
                this.text.setLength(0);
                (frame.has("method") ? WsClient.this.notifications : WsClient.this.answers).add(frame);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            WsClient.this.pings.incrementAndGet();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            WsClient.this.closeReason.set(reason);
            WsClient.this.closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            WsClient.this.closeCode.completeExceptionally(error);
        }

    }

}
