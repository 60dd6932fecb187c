import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client of the service's {@code /ws} over {@code java.net.http}: one socket, blocking {@code rkllm_run}
 * calls whose chunks arrive as {@code rkllm_stream} notifications before the answer. Frames are matched as text: the
 * bench needs the stamps and the end, not a JSON library.
 */
final class WsStream implements WebSocket.Listener, AutoCloseable {

    private final WebSocket socket;

    private final StringBuilder partial = new StringBuilder();

    private long ids;

    private Call call;

    /** Opens a socket to the service. */
    WsStream(int port) throws Exception {
        this.socket = HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), this)
            .get(30, TimeUnit.SECONDS);
    }

    /** What a client read of one run. */
    record Read(long chunks, long firstNanos, long endNanos, long[] latencies, String answer) {
    }

    /** Runs {@code prompt} with {@code rkllm_run} on the socket and reads its chunks and answer. */
    Read run(String prompt) throws Exception {
        Call current = new Call();
        this.call = current;
        this.socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + (++this.ids) + ",\"method\":\"rkllm_run\",\"params\":"
                + "{\"prompt_input\":\"" + prompt + "\"}}", true).get(30, TimeUnit.SECONDS);
        return current.done.get(600, TimeUnit.SECONDS);
    }

    /** Closes the socket normally: sends the close frame. */
    @Override
    public void close() throws Exception {
        this.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        this.partial.append(data);
        if (last) {
            frame(System.nanoTime(), this.partial.toString());
            this.partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        this.call.done.completeExceptionally(error);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        this.call.done.completeExceptionally(new IllegalStateException("socket closed " + statusCode + " " + reason));
        return null;
    }

    private void frame(long now, String text) {
        Call current = this.call;
        if (text.contains("\"method\":\"rkllm_status\"")) {
            return;
        }
        if (!text.contains("\"method\":\"rkllm_stream\"")) {
            current.done.complete(new Read(current.chunks, current.first, now, current.latencies.toArray(), text));
            return;
        }
        if (text.contains("\"end\":true")) {
            return;
        }
        if (current.chunks++ == 0) {
            current.first = now;
        }
        current.latencies.add(text, now);
    }

    /** One run's reading, on the socket's listener thread. */
    private static final class Call {

        final CompletableFuture<Read> done = new CompletableFuture<>();

        long chunks;

        long first;

        final StampLatencies latencies = new StampLatencies("\"delta\":\"t=");

    }

}
