package io.rkllm.gateway.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Plain HTTP calls to the OpenAI- and Ollama-compatible APIs of a running service, as a client without an SDK. */
public final class ApiClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final int port;

    public ApiClient(int port) {
        this.port = port;
    }

    /** A whole answer. */
    public Answer get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** A whole answer to a POST of {@code body} (a JSON text, or an object to write as JSON). */
    public Answer post(String path, Object body) {
        return send(HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json(body))));
    }

    /** A streamed answer, read line by line on a thread of its own; close it to go away. */
    public Lines stream(String path, Object body) {
        HttpRequest request = HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json(body)))
            .build();
        try {
            HttpResponse<java.io.InputStream> response = this.http.send(request,
                    HttpResponse.BodyHandlers.ofInputStream());
            return new Lines(response);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = this.http.send(request.timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("content-type").orElse(null),
                    response.headers().firstValue("retry-after").orElse(null),
                    response.headers().firstValue("x-rkllm-ignored").orElse(null), response.body());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + this.port + path);
    }

    private static String json(Object body) {
        return (body instanceof String text) ? text : JsonMapper.shared().writeValueAsString(body);
    }

    /** An answer: its status, some headers, and its body. */
    public record Answer(int status, @Nullable String contentType, @Nullable String retryAfter,
            @Nullable String ignored, String body) {

        public JsonNode json() {
            return JsonMapper.shared().readTree(this.body);
        }

    }

    /** The lines of a streamed answer as they arrive. */
    public static final class Lines implements AutoCloseable {

        private static final String END = new String("end of stream");

        private final HttpResponse<java.io.InputStream> response;

        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Lines(HttpResponse<java.io.InputStream> response) {
            this.response = response;
            Thread reader = new Thread(this::read, "api-client-lines");
            reader.setDaemon(true);
            reader.start();
        }

        public int status() {
            return this.response.statusCode();
        }

        public @Nullable String header(String name) {
            return this.response.headers().firstValue(name).orElse(null);
        }

        /** The next non-empty line; null at the end of the stream; fails after the timeout. */
        public @Nullable String next(Duration timeout) throws InterruptedException {
            String line;
            do {
                line = this.lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (line == null) {
                    throw new AssertionError("no line within " + timeout);
                }
            }
            while (line.isEmpty());
            return (line == END) ? null : line;
        }

        /** Every further non-empty line up to the end of the stream. */
        public List<String> rest(Duration timeout) throws InterruptedException {
            List<String> rest = new ArrayList<>();
            for (String line = next(timeout); line != null; line = next(timeout)) {
                rest.add(line);
            }
            return rest;
        }

        private void read() {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(this.response.body(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    this.lines.add(line);
                }
            }
            catch (IOException ex) {
                // Closed by the test, or the connection went: the stream ends either way.
            }
            this.lines.add(END);
        }

        @Override
        public void close() throws IOException {
            this.response.body().close();
        }

    }

}
