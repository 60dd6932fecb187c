package io.rkllm.gateway.web;

import java.util.function.Consumer;

import io.netty.handler.timeout.TimeoutException;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.JsonRpcDispatcher;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Json;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Stream;
import io.rkllm.gateway.rpc.RpcContext;
import io.rkllm.gateway.security.Callers;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.StreamLinks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;
import reactor.util.context.Context;

/**
 * {@code POST /rpc} and {@code POST /}: reads the body (at most {@code rkllm.limits.max-request-bytes}, else 413),
 * hands it to the dispatcher, and sends its reply: JSON with HTTP 200 for every JSON-RPC answer, errors included,
 * 204 for notifications only, or Server-Sent Events for a streamed {@code rkllm_run}, whose run is aborted when the
 * client goes away before the end.
 */
final class JsonRpcEndpoint {

    private static final Logger logger = LoggerFactory.getLogger(JsonRpcEndpoint.class);

    /**
     * Reactor's per-subscription hook for errors that arrive after the chain ended. A connection reset reaches the
     * body's reader twice, and the second copy, with nobody left to take it, would be logged at ERROR by Reactor's
     * default hook: one line per client that hung up.
     */
    private static final Context QUIET_DROPS = Context.of("reactor.onErrorDropped.local",
            (Consumer<Throwable>) (ex) -> logger.debug("After the client went away: {}", ex.toString()));

    private final JsonRpcDispatcher dispatcher;

    private final DataSize maxRequest;

    private final SseEvents sse;

    private final StreamLinks links;

    JsonRpcEndpoint(JsonRpcDispatcher dispatcher, DataSize maxRequest, SseEvents sse, StreamLinks links) {
        this.dispatcher = dispatcher;
        this.maxRequest = maxRequest;
        this.sse = sse;
        this.links = links;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        long declared = request.headers().contentLength().orElse(-1);
        if (declared > this.maxRequest.toBytes()) {
            return tooLarge();
        }
        boolean eventStream = acceptsEventStream(request);
        return Callers.of(request.exchange())
            .flatMap((caller) -> dispatch(request, new RpcContext("rpc", eventStream, caller)))
            .onErrorResume(DataBufferLimitException.class, (ex) -> tooLarge())
            .onErrorResume(JsonRpcEndpoint::clientWentAway, (ex) -> {
                logger.debug("Client {} went away while sending its request: {}", request.remoteAddress()
                    .map(Object::toString)
                    .orElse("?"), ex.toString());
                return Mono.empty();
            })
            .contextWrite(QUIET_DROPS);
    }

    private Mono<ServerResponse> dispatch(ServerRequest request, RpcContext context) {
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), (int) this.maxRequest.toBytes())
            .map((buffer) -> {
                byte[] bytes = new byte[buffer.readableByteCount()];
                buffer.read(bytes);
                DataBufferUtils.release(buffer);
                return bytes;
            })
            .defaultIfEmpty(new byte[0])
            .flatMap((body) -> this.dispatcher.dispatch(body, context))
            .flatMap((reply) -> reply(reply, context.caller()));
    }

    /**
     * Whether reading the body failed because the client closed or reset its connection, or stopped sending until the
     * read or request timeout closed it: nobody is left to answer, and it is the client's doing, not a server error.
     */
    private static boolean clientWentAway(Throwable ex) {
        return ex instanceof AbortedException || AbortedException.isConnectionReset(ex)
                || ex instanceof TimeoutException;
    }

    /** Whether the client accepts Server-Sent Events; an {@code Accept} header that does not parse counts as no. */
    private static boolean acceptsEventStream(ServerRequest request) {
        try {
            return request.headers()
                .accept()
                .stream()
                .anyMatch((type) -> "text".equals(type.getType()) && "event-stream".equals(type.getSubtype()));
        }
        catch (InvalidMediaTypeException ex) {
            return false;
        }
    }

    private Mono<ServerResponse> reply(JsonRpcDispatcher.Reply reply, Caller caller) {
        if (reply instanceof Stream stream) {
            String id = stream.stream().id();
            return this.sse.respond(this.sse.sessionEvent(id, this.links.url(id, caller)), stream.stream().events());
        }
        if (reply instanceof Json json) {
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(json.body());
        }
        return ServerResponse.noContent().build();
    }

    private Mono<ServerResponse> tooLarge() {
        return ServerResponse.status(HttpStatus.CONTENT_TOO_LARGE)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(ErrorBodies.of(ErrorCode.INVALID_REQUEST,
                    "the request body exceeds rkllm.limits.max-request-bytes (" + this.maxRequest + ")"));
    }

}
