package io.rkllm.gateway.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * How a test's plain requests reach the service: over a real socket, where the wire is what is tested, or straight to
 * the application's routes through {@link WebTestClient}, where only the answer is.
 */
interface HttpExchange {

    /** A {@code POST /rpc} of these bytes with {@code Content-Type: application/json} and these extra headers. */
    RawHttp.Answer post(byte[] body, Map<String, String> headers);

    /** A {@code GET} of this path. */
    RawHttp.Answer get(String path);

    default RawHttp.Answer post(String json) {
        return post(json.getBytes(StandardCharsets.UTF_8));
    }

    default RawHttp.Answer post(byte[] body) {
        return post(body, Map.of());
    }

    /** Through a real socket to a running service. */
    static HttpExchange socket(int port) {
        return new HttpExchange() {

            @Override
            public RawHttp.Answer post(byte[] body, Map<String, String> headers) {
                return call(() -> RawHttp.post(port, body, headers));
            }

            @Override
            public RawHttp.Answer get(String path) {
                return call(() -> RawHttp.get(port, path));
            }

        };
    }

    /** Straight to the routes of an application context, with no server and no socket. */
    static HttpExchange routes(ApplicationContext context) {
        WebTestClient client = WebTestClient.bindToApplicationContext(context).configureClient()
            .responseTimeout(RawHttp.READ_TIMEOUT)
            .build();
        return new HttpExchange() {

            @Override
            public RawHttp.Answer post(byte[] body, Map<String, String> headers) {
                return answer(client.post()
                    .uri("/rpc")
                    .contentType(MediaType.APPLICATION_JSON)
                    .headers((h) -> headers.forEach(h::set))
                    .bodyValue(body)
                    .exchange()
                    .expectBody(byte[].class)
                    .returnResult());
            }

            @Override
            public RawHttp.Answer get(String path) {
                return answer(client.get().uri(path).exchange().expectBody(byte[].class).returnResult());
            }

        };
    }

    private static RawHttp.Answer answer(EntityExchangeResult<byte[]> result) {
        byte[] body = result.getResponseBody();
        MediaType type = result.getResponseHeaders().getContentType();
        return new RawHttp.Answer(result.getStatus().value(),
                (body != null) ? new String(body, StandardCharsets.UTF_8) : "", (type != null) ? type.toString() : null);
    }

    private static RawHttp.Answer call(Exchange exchange) {
        try {
            return exchange.send();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** One request over the socket. */
    @FunctionalInterface
    interface Exchange {

        RawHttp.Answer send() throws IOException, InterruptedException;

    }

}
