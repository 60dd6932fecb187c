import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A streamed answer read line by line over {@code java.net.http}, HTTP/1.1 on loopback, as a client gets it: OpenAI's
 * {@code /v1/chat/completions} (SSE), Ollama's {@code /api/chat} (NDJSON), or {@code rkllm_run} with
 * {@code Accept: text/event-stream}. Every line that carries a simulator stamp ({@code ":"t=<ns>;}) in its text
 * gives an emit → receive sample, the receive time being {@link System#nanoTime()} right after the line was read.
 */
final class LineStream {

    private static final Duration TIMEOUT = Duration.ofSeconds(600);


    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final int port;

    LineStream(int port) {
        this.port = port;
    }

    /**
     * What a client read of one streamed answer.
     * @param sentNanos when the request was handed to the client
     * @param tokens lines with a token's text (see {@link #post}'s {@code textField})
     * @param firstNanos when the first such line was read
     * @param endNanos when the answer ended
     * @param others the lines that carried no token (the role, the finish, the end), for how the answer ended
     */
    record Read(long sentNanos, long tokens, long firstNanos, long endNanos, long[] latencies, String others) {
    }

    /**
     * POSTs {@code json} to {@code path} and reads the answer to its end. {@code textField} is the JSON field of a
     * token's text ({@code "content":"} or {@code "delta":"}): a line whose field is not empty counts as a token.
     */
    Read post(String path, String accept, String json, String textField) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Accept", accept)
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
        long sent = System.nanoTime();
        HttpResponse<InputStream> response = this.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        String token = "\"" + textField + "\":\"";
        StampLatencies latencies = new StampLatencies("\":\"t=");
        long tokens = 0;
        long first = 0;
        StringBuilder others = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(response.body(), StandardCharsets.UTF_8), 1 << 16)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                long now = System.nanoTime();
                if (line.isBlank()) {
                    continue;
                }
                int at = line.indexOf(token);
                if (at < 0 || line.startsWith("\"", at + token.length())) {
                    others.append(line).append('\n');
                    continue;
                }
                if (tokens++ == 0) {
                    first = now;
                }
                latencies.add(line, now);
            }
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered HTTP " + response.statusCode() + ": " + others);
        }
        return new Read(sent, tokens, first, System.nanoTime(), latencies.toArray(), others.toString());
    }

}
