package io.rkllm.gateway.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Plain HTTP calls to the service on localhost with any method, path, headers and body, over java.net.http. */
final class HttpCalls {

    private static final HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private final int port;

    HttpCalls(int port) {
        this.port = port;
    }

    /**
     * Sends a request and reads the whole answer.
     *
     * @param body sent as is, with the {@code Content-Type} the headers give (none unless they give one)
     */
    Answer send(String method, String path, Map<String, String> headers, @Nullable String body) {
        return sendBytes(method, path, headers, (body != null) ? body.getBytes(StandardCharsets.UTF_8) : null);
    }

    /** Sends raw bytes (invalid UTF-8 included) and reads the whole answer. */
    Answer sendBytes(String method, String path, Map<String, String> headers, byte @Nullable [] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, (body != null) ? HttpRequest.BodyPublishers.ofByteArray(body)
                    : HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), response.headers().map().entrySet().stream()
                .collect(Collectors.toMap((e) -> e.getKey().toLowerCase(Locale.ROOT),
                        (e) -> String.join(", ", e.getValue()), (a, b) -> a + ", " + b)));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** A JSON {@code POST}. */
    Answer postJson(String path, Map<String, String> headers, String json) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Content-Type", "application/json");
        return send("POST", path, all, json);
    }

    /**
     * A JSON {@code POST} whose answer is not awaited (a streamed run that waits in the queue); the future completes
     * once the answer has ended.
     */
    CompletableFuture<HttpResponse<Void>> postJsonAsync(String path, Map<String, String> headers, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding());
    }

    /** A JSON-RPC call to {@code /rpc} with a key; the whole response object, which must come with HTTP 200. */
    JsonNode rpc(String key, String method, Map<String, ?> params, Object id) {
        Map<String, Object> request = Map.of("jsonrpc", "2.0", "id", id, "method", method, "params", params);
        Answer answer = postJson("/rpc", Map.of("x-api-key", key), JsonMapper.shared().writeValueAsString(request));
        if (answer.status() != 200) {
            throw new AssertionError(method + " answered HTTP " + answer.status() + ": " + answer.body());
        }
        return answer.json();
    }

    /** Bearer authorization with this key. */
    static Map<String, String> bearer(String key) {
        return Map.of("Authorization", "Bearer " + key);
    }

    /**
     * An answer.
     *
     * @param headers by lower-case name
     */
    record Answer(int status, String body, Map<String, String> headers) {

        JsonNode json() {
            return JsonMapper.shared().readTree(this.body);
        }

        @Nullable String header(String name) {
            return this.headers.get(name.toLowerCase(Locale.ROOT));
        }

    }

}
