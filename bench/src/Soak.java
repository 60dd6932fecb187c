import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's clients (bench/soak.sh): for the given seconds, workers with their own API keys run a random mix on
 * every transport the service answers (JSON-RPC runs with poll by session and by request id, SSE in the answer and
 * at stream_url with its token, blocking runs, aborts, abrupt disconnects, bad requests; WebSocket, OpenAI and
 * Ollama when those routes exist), then print one line per outcome as {@code outcome <name> <count>}. Only the JDK.
 * <p>
 * Usage: {@code java bench/src/Soak.java <port> <seconds> <workers> <key>...}
 */
public final class Soak {

    private static final Pattern SESSION = Pattern.compile("\"session_id\":\"([^\"]+)\"");

    private static final Pattern STREAM_URL = Pattern.compile("\"stream_url\":\"([^\"]+)\"");

    private static final Pattern CODE = Pattern.compile("\"code\":(-?\\d+)");

    /** How the Ollama-compatible API says its queue is full, as Ollama does. */
    private static final String OLLAMA_BUSY = "server busy, please try again";

    private final int port;

    private final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

    private final AtomicLong ids = new AtomicLong();

    private final boolean websocket;

    private final boolean openai;

    private final boolean ollama;

    /** @param key probes the optional routes with it: without one, a keyed service answers 401 for any path */
    private Soak(int port, String key) {
        this.port = port;
        this.websocket = status("GET", "/ws", key, null) != 404;
        this.openai = status("GET", "/v1/models", key, null) == 200;
        this.ollama = status("GET", "/api/tags", key, null) == 200;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        int workers = Integer.parseInt(args[2]);
        List<String> keys = List.of(args).subList(3, args.length);
        Soak soak = new Soak(port, keys.isEmpty() ? null : keys.get(0));
        System.out.println("transports rpc sse" + (soak.websocket ? " ws" : "") + (soak.openai ? " openai" : "")
                + (soak.ollama ? " ollama" : ""));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        for (int i = 0; i < workers; i++) {
            String key = keys.isEmpty() ? null : keys.get(i % keys.size());
            Random random = new Random(1000 + i);
            pool.execute(() -> {
                while (System.nanoTime() < end) {
                    try {
                        soak.step(random, key);
                    }
                    catch (Exception ex) {
                        soak.count("client-exception " + ex.getClass().getSimpleName());
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 120, TimeUnit.SECONDS);
        new TreeMap<>(soak.outcomes).forEach((name, count) -> System.out.println("outcome " + name + " " + count));
    }

    private void step(Random random, String key) throws Exception {
        int pick = random.nextInt(100);
        String prompt = "soak " + pick + " [[sim:prefill_ms=" + random.nextInt(5) + "]][[sim:delay_us="
                + (1000 + random.nextInt(4000)) + "]][[sim:tokens=" + (5 + random.nextInt(150)) + "]]";
        if (pick < 25) {
            asyncThenPoll(random, key, prompt);
        }
        else if (pick < 40) {
            streamedRun(random, key, prompt);
        }
        else if (pick < 55) {
            asyncThenStreamUrl(random, key, prompt);
        }
        else if (pick < 63) {
            asyncThenAbort(key, prompt);
        }
        else if (pick < 70) {
            record("blocking", rpc(key, "rkllm_run", "{\"prompt_input\":\"" + prompt + "\"}", null));
        }
        else if (pick < 82) {
            badRequest(random, key);
        }
        else if (pick < 88 && this.websocket) {
            websocketRun(random, key, prompt);
        }
        else if (pick < 94 && this.openai) {
            streamed("openai", "/v1/chat/completions", key, "{\"model\":\"tiny-sim\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}", random);
        }
        else if (pick < 100 && this.ollama) {
            streamed("ollama", "/api/chat", key, "{\"model\":\"tiny-sim\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"" + prompt + "\"}]}", random);
        }
        else {
            record("status", rpc(key, "stream_manager_status", "{}", null));
        }
    }

    private void asyncThenPoll(Random random, String key, String prompt) throws InterruptedException {
        long id = this.ids.incrementAndGet();
        Answer started = rpc(key, "rkllm_run_async", "{\"prompt_input\":\"" + prompt + "\"}", id);
        record("async", started);
        String session = match(SESSION, started.body());
        if (session == null) {
            return;
        }
        for (int i = 0; i < 400; i++) {
            String params = random.nextBoolean() ? "{\"session_id\":\"" + session + "\"}"
                    : "{\"request_id\":" + id + "}";
            Answer poll = rpc(key, "poll", params, null);
            record("poll", poll);
            if (poll.body().contains("\"end\":true") || poll.body().contains("\"error\"")) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private void streamedRun(Random random, String key, String prompt) throws IOException, InterruptedException {
        HttpRequest request = request("/rpc", key).header("Accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(call("rkllm_run", "{\"prompt_input\":\"" + prompt + "\"}",
                    this.ids.incrementAndGet())))
            .build();
        readSome("sse-run", request, random);
    }

    private void asyncThenStreamUrl(Random random, String key, String prompt)
            throws IOException, InterruptedException {
        Answer started = rpc(key, "rkllm_run_async", "{\"prompt_input\":\"" + prompt + "\"}", null);
        record("async", started);
        String url = match(STREAM_URL, started.body());
        if (url == null) {
            return;
        }
        // As an EventSource reads it: no header, the token in the URL when there is a key.
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + url))
            .timeout(Duration.ofSeconds(60))
            .header("Accept", "text/event-stream")
            .GET()
            .build();
        readSome("sse-url", request, random);
    }

    private void asyncThenAbort(String key, String prompt) {
        Answer started = rpc(key, "rkllm_run_async", "{\"prompt_input\":\"" + prompt + "\"}", null);
        record("async", started);
        String session = match(SESSION, started.body());
        if (session != null) {
            record("abort", rpc(key, "rkllm_abort", "{\"session_id\":\"" + session + "\"}", null));
        }
    }

    private void badRequest(Random random, String key) {
        switch (random.nextInt(6)) {
            case 0 -> record("bad-json", post("/rpc", key, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":1,"));
            case 1 -> record("bad-form", post("/rpc", key, "application/x-www-form-urlencoded", "a=b"));
            case 2 -> record("bad-method", rpc(key, "rkllm_nope", "{}", null));
            case 3 -> record("bad-params", rpc(key, "rkllm_run_async", "{\"prompt_input\":5}", null));
            case 4 -> record("bad-key", post("/rpc", "wrong-key", "application/json", call("ping", "{}", 1)));
            default -> record("bad-nesting", post("/rpc", key, "application/json", "[".repeat(500)));
        }
    }

    /** A run over a WebSocket, closed after a random number of frames. */
    private void websocketRun(Random random, String key, String prompt) throws Exception {
        int frames = 1 + random.nextInt(40);
        CompletableFuture<Void> done = new CompletableFuture<>();
        WebSocket.Builder builder = this.http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        WebSocket socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + this.port + "/ws"),
                new WebSocket.Listener() {
                    private int seen;

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        this.seen++;
                        if (this.seen >= frames || data.toString().contains("\"end\":true")) {
                            done.complete(null);
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
            .get(5, TimeUnit.SECONDS);
        socket.sendText(call("rkllm_run_async", "{\"prompt_input\":\"" + prompt + "\"}", 1), true);
        try {
            done.get(30, TimeUnit.SECONDS);
            count("ws ok");
        }
        finally {
            socket.abort();
        }
    }

    private void streamed(String name, String path, String key, String json, Random random)
            throws IOException, InterruptedException {
        readSome(name, request(path, key).POST(HttpRequest.BodyPublishers.ofString(json)).build(), random);
    }

    /** Reads a streamed answer to its end, or drops the connection after a random number of bytes. */
    private void readSome(String name, HttpRequest request, Random random) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = this.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            // Ollama's own answer to a full queue is 503 with these words, which its clients retry on: a refusal as
            // designed, not a server error.
            boolean busy = response.statusCode() == 503 && body.contains(OLLAMA_BUSY);
            count(name + (busy ? " busy" : " http " + response.statusCode()));
            return;
        }
        int limit = random.nextBoolean() ? Integer.MAX_VALUE : random.nextInt(400);
        try (InputStream in = response.body()) {
            int read = 0;
            while (read < limit && in.read() >= 0) {
                read++;
            }
            count(name + ((read < limit) ? " complete" : " disconnected"));
        }
    }

    private String call(String method, String params, Object id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    private Answer rpc(String key, String method, String params, Object id) {
        return post("/rpc", key, "application/json",
                call(method, params, (id != null) ? id : this.ids.incrementAndGet()));
    }

    private HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json");
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        return builder;
    }

    private Answer post(String path, String key, String contentType, String body) {
        HttpRequest request = request(path, key).setHeader("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        try {
            HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        }
        catch (IOException ex) {
            return new Answer(-1, ex.getClass().getSimpleName());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted");
        }
    }

    private int status(String method, String path, String key, String body) {
        try {
            return this.http.send(request(path, key).method(method, (body != null)
                    ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (IOException | InterruptedException ex) {
            return -1;
        }
    }

    /** Counts an answer by its HTTP status and JSON-RPC error code: {@code poll 200 ok}, {@code async 200 -32000}. */
    private void record(String name, Answer answer) {
        String code = (answer.status() == 200 && answer.body().contains("\"error\"")) ? match(CODE, answer.body())
                : "ok";
        count(name + " " + answer.status() + " " + ((answer.status() == 200) ? code : ""));
    }

    private void count(String outcome) {
        this.outcomes.computeIfAbsent(outcome.strip().replace(' ', '_'), (k) -> new LongAdder()).increment();
    }

    private static String match(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? matcher.group(1) : null;
    }

    private record Answer(int status, String body) {
    }

}
