package io.rkllm.gateway.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MCP's Streamable HTTP by hand, one HTTP/1.1 request per message, for what an SDK client does not let a test do:
 * drop the connection of one call, send a cancellation, set an {@code Origin} header.
 */
final class McpHttp {

    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final URI endpoint;

    private final String sessionId;

    private final @Nullable String apiKey;

    private McpHttp(URI endpoint, String sessionId, @Nullable String apiKey) {
        this.endpoint = endpoint;
        this.sessionId = sessionId;
        this.apiKey = apiKey;
    }

    /** A new MCP session, initialized. */
    static McpHttp open(int port) {
        return open(port, null);
    }

    /** A new MCP session, initialized, whose every request carries this API key ({@code x-api-key}). */
    static McpHttp open(int port, @Nullable String apiKey) {
        URI endpoint = URI.create("http://localhost:" + port + "/mcp");
        HttpResponse<String> init = send(request(endpoint, null, apiKey, message(0, "initialize", Map.of(
                "protocolVersion", "2025-06-18", "capabilities", Map.of(), "clientInfo", Map.of("name", "test",
                        "version", "1")))));
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        McpHttp session = new McpHttp(endpoint, init.headers().firstValue("Mcp-Session-Id").orElseThrow(), apiKey);
        assertThat(session.post(notification("notifications/initialized", Map.of())).statusCode()).isEqualTo(202);
        return session;
    }

    /** A JSON-RPC request object. */
    static String message(long id, String method, Map<String, ?> params) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("jsonrpc", "2.0");
        message.put("id", id);
        message.put("method", method);
        message.put("params", params);
        return JsonMapper.shared().writeValueAsString(message);
    }

    /** A JSON-RPC notification object. */
    static String notification(String method, Map<String, ?> params) {
        return JsonMapper.shared()
            .writeValueAsString(Map.of("jsonrpc", "2.0", "method", method, "params", params));
    }

    /** Posts a message in this session and reads the whole answer. */
    HttpResponse<String> post(String json) {
        return send(request(this.endpoint, this.sessionId, this.apiKey, json));
    }

    /** Posts a request in this session; its answer's event stream line by line, to close when done. */
    Stream<String> stream(String json) {
        return lines(request(this.endpoint, this.sessionId, this.apiKey, json));
    }

    /**
     * Opens this session's stream of messages from the server (GET): its lines, once the response has begun, which
     * is at the first message the server sends on it.
     */
    CompletableFuture<HttpResponse<Stream<String>>> listen() {
        return client.sendAsync(HttpRequest.newBuilder(this.endpoint)
            .header("Accept", "text/event-stream")
            .header("Mcp-Session-Id", this.sessionId)
            .GET()
            .build(), HttpResponse.BodyHandlers.ofLines());
    }

    private static Stream<String> lines(HttpRequest request) {
        try {
            HttpResponse<Stream<String>> response = client.send(request, HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Posts a message outside any session, with this Origin header. */
    static HttpResponse<String> postFrom(int port, String origin, String json) {
        return send(HttpRequest.newBuilder(request(URI.create("http://localhost:" + port + "/mcp"), null, null, json),
                (name, value) -> true).header("Origin", origin).build());
    }

    private static HttpRequest request(URI endpoint, @Nullable String sessionId, @Nullable String apiKey,
            String json) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(json));
        if (sessionId != null) {
            builder.header("Mcp-Session-Id", sessionId);
        }
        if (apiKey != null) {
            builder.header("x-api-key", apiKey);
        }
        return builder.build();
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

}
