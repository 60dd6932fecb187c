package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.function.Function;

import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.function.BodyInserter;
import reactor.netty.Connection;

/**
 * A streamed response body written the way the SSE streams are ({@link SseOutbox}): events encoded and batched on the
 * connection's event loop, so that another API's stream format (OpenAI's SSE, Ollama's NDJSON) needs only its encoder.
 */
public final class StreamedBody {

    private StreamedBody() {
    }

    /**
     * @param preamble written first (null: nothing)
     * @param encoder turns one event into the bytes it stands for on the wire (called on the event loop)
     * @param keepAlive written every {@code heartbeat} while nothing else goes out (null: never)
     */
    public static <T> BodyInserter<Object, ServerHttpResponse> of(byte @Nullable [] preamble, Publisher<T> events,
            Function<? super T, byte[]> encoder, byte @Nullable [] keepAlive, Duration heartbeat) {
        return (response, context) -> response.writeWith(new SseOutbox<>(preamble, events, encoder,
                eventLoop(response), response.bufferFactory(), heartbeat, keepAlive));
    }

    static EventLoop eventLoop(ServerHttpResponse response) {
        return connection(response).channel().eventLoop();
    }

    /** The Reactor Netty connection a response goes out on. */
    static Connection connection(ServerHttpResponse response) {
        Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        if (nativeResponse instanceof Connection connection) {
            return connection;
        }
        throw new IllegalStateException("Responses are written on Reactor Netty's event loops; the server runs on "
                + nativeResponse.getClass().getName());
    }

}
