package io.rkllm.gateway.web;

import java.util.function.Consumer;

import io.netty.handler.timeout.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;
import reactor.util.context.Context;

/** Reads a request body of bounded size, the same way for every API that takes one. */
public final class RequestBodies {

    private static final Logger logger = LoggerFactory.getLogger(RequestBodies.class);

    /**
     * Reactor's per-subscription hook for errors that arrive after the chain ended. A connection reset reaches the
     * body's reader twice, and the second copy, with nobody left to take it, would be logged at ERROR by Reactor's
     * default hook: one line per client that hung up.
     */
    private static final Context QUIET_DROPS = Context.of("reactor.onErrorDropped.local",
            (Consumer<Throwable>) (ex) -> logger.debug("After the client went away: {}", ex.toString()));

    private RequestBodies() {
    }

    /**
     * The body's bytes (empty when there is none); fails with {@link TooLargeException} when it is larger than
     * {@code max}, declared or sent, and completes empty when the client went away while sending it.
     */
    public static Mono<byte[]> read(ServerRequest request, DataSize max) {
        long declared = request.headers().contentLength().orElse(-1);
        if (declared > max.toBytes()) {
            return Mono.error(new TooLargeException(max));
        }
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), (int) max.toBytes())
            .map((buffer) -> {
                byte[] bytes = new byte[buffer.readableByteCount()];
                buffer.read(bytes);
                DataBufferUtils.release(buffer);
                return bytes;
            })
            .defaultIfEmpty(new byte[0])
            .onErrorMap(DataBufferLimitException.class, (ex) -> new TooLargeException(max))
            .onErrorResume(RequestBodies::clientWentAway, (ex) -> {
                logger.debug("Client {} went away while sending its request: {}",
                        request.remoteAddress().map(Object::toString).orElse("?"), ex.toString());
                return Mono.empty();
            })
            .contextWrite(QUIET_DROPS);
    }

    /**
     * Whether reading the body failed because the client closed or reset its connection, or stopped sending until the
     * read or request timeout closed it: nobody is left to answer, and it is the client's doing, not a server error.
     */
    private static boolean clientWentAway(Throwable ex) {
        return ex instanceof AbortedException || AbortedException.isConnectionReset(ex)
                || ex instanceof TimeoutException;
    }

    /** A request body over {@code rkllm.limits.max-request-bytes}: HTTP 413 in each API's error shape. */
    public static final class TooLargeException extends RuntimeException {

        TooLargeException(DataSize max) {
            super("the request body exceeds rkllm.limits.max-request-bytes (" + max + ")", null, false, false);
        }

    }

}
