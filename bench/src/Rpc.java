import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON-RPC 2.0 client of the service over {@code java.net.http}, HTTP/1.1 on loopback. Answers are read with two
 * regular expressions: the bench needs a handful of flat fields, not a JSON library.
 */
final class Rpc {

    /** The simulator paces a holder run at 100 ms per token: cheap, and aborted within 100 ms. */
    static final long HOLDER_DELAY_US = 100_000;

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private final int port;

    private final AtomicLong ids = new AtomicLong();

    Rpc(int port) {
        this.port = port;
    }

    /** The markers of a run of {@code tokens} tokens, one every {@code delayUs}, without prefill. */
    static String prompt(long tokens, long delayUs, String... extraMarkers) {
        return "[[sim:tokens=" + tokens + "]][[sim:delay_us=" + delayUs + "]][[sim:prefill_ms=0]]"
                + String.join("", extraMarkers);
    }

    /** Sends a call; completes with the whole answer, or fails on a transport error or a non-200 status. */
    CompletableFuture<String> callAsync(String method, String paramsJson) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + this.ids.incrementAndGet() + ",\"method\":\"" + method + "\""
                + ((paramsJson != null) ? ",\"params\":" + paramsJson : "") + "}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/rpc"))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        return this.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply((response) -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(method + " answered HTTP " + response.statusCode());
            }
            return response.body();
        });
    }

    /** Sends a call and returns its answer; fails when the answer is a JSON-RPC error. */
    String call(String method, String paramsJson) {
        String answer = callAsync(method, paramsJson).join();
        if (answer.contains("\"error\":")) {
            throw new IllegalStateException(method + " failed: " + answer);
        }
        return answer;
    }

    /** {@code rkllm_run_async} of a prompt; returns the session id. */
    String start(String prompt) {
        return string(call("rkllm_run_async", "{\"prompt_input\":\"" + prompt + "\"}"), "session_id");
    }

    /**
     * Starts a slow run that keeps the NPU busy, so that sessions started after it wait in the queue until
     * {@link #release}: their subscribers can all attach before the first token.
     */
    String hold() {
        return hold(HOLDER_DELAY_US);
    }

    /** {@link #hold()} with a token every {@code delayUs}: the longer, the slower its abort. */
    String hold(long delayUs) {
        return start(prompt(100_000, delayUs));
    }

    void release(String holderSessionId) {
        call("rkllm_abort", "{\"session_id\":\"" + holderSessionId + "\"}");
    }

    /** The GET path of a session's SSE stream. */
    static String streamPath(String sessionId) {
        return "/streams/" + sessionId;
    }

    /** A GET of another path, its body; for the Actuator. */
    String get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
            .timeout(TIMEOUT)
            .build();
        return this.http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    static String string(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in " + json);
        }
        return m.group(1);
    }

    static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in " + json);
        }
        return Double.parseDouble(m.group(1));
    }

    /** The sum of every occurrence of a numeric field. */
    static long sum(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":([0-9]+)").matcher(json);
        long total = 0;
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }

}
