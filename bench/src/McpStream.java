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
 * An MCP client of the service over {@code java.net.http}, HTTP/1.1 on loopback: one session, {@code generate} calls
 * with a progress token, their answer streams read line by line as a client gets them. Lines are matched as text:
 * the bench needs the progress stamps and the end, not a JSON library.
 */
final class McpStream {

    private static final Duration TIMEOUT = Duration.ofSeconds(600);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final URI endpoint;

    private final String sessionId;

    private long ids;

    /** Opens an MCP session: initialize, then the initialized notification. */
    McpStream(int port) throws Exception {
        this.endpoint = URI.create("http://127.0.0.1:" + port + "/mcp");
        HttpResponse<String> init = this.http.send(request(null, "{\"jsonrpc\":\"2.0\",\"id\":0,"
                + "\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}"), HttpResponse.BodyHandlers.ofString());
        this.sessionId = init.headers()
            .firstValue("Mcp-Session-Id")
            .orElseThrow(() -> new IllegalStateException("initialize answered " + init.statusCode() + ": "
                    + init.body()));
        this.http.send(request(this.sessionId, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
                HttpResponse.BodyHandlers.discarding());
    }

    /** What a client read of one {@code generate} call. */
    record Read(long progressCount, long firstNanos, long endNanos, long[] latencies, String endLine) {
    }

    /** Calls {@code generate} with {@code prompt} and reads its answer to the end. */
    Read generate(String prompt) throws Exception {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":" + (++this.ids) + ",\"method\":\"tools/call\",\"params\":{"
                + "\"name\":\"generate\",\"arguments\":{\"prompt\":\"" + prompt + "\"},"
                + "\"_meta\":{\"progressToken\":\"bench\"}}}";
        HttpResponse<InputStream> response = this.http.send(request(this.sessionId, call),
                HttpResponse.BodyHandlers.ofInputStream());
        StampLatencies latencies = new StampLatencies("\"message\":\"t=");
        long count = 0;
        long first = 0;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(response.body(), StandardCharsets.UTF_8), 1 << 16)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                long now = System.nanoTime();
                if (!line.contains("\"notifications/progress\"")) {
                    return new Read(count, first, now, latencies.toArray(), line);
                }
                if (count++ == 0) {
                    first = now;
                }
                latencies.add(line, now);
            }
        }
        throw new IllegalStateException("the generate call's stream ended without an answer");
    }

    private HttpRequest request(String sessionId, String json) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(this.endpoint)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(json));
        if (sessionId != null) {
            builder.header("Mcp-Session-Id", sessionId);
        }
        return builder.build();
    }

}
