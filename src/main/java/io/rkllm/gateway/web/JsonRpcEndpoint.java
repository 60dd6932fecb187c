package io.rkllm.gateway.web;

import io.rkllm.gateway.rpc.JsonRpcDispatcher;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Json;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Stream;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamSession;
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
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /rpc} and {@code POST /}: reads the body (at most {@code rkllm.limits.max-request-bytes}, else 413),
 * hands it to the dispatcher, and sends its reply: JSON with HTTP 200 for every JSON-RPC answer, errors included,
 * 204 for notifications only, or Server-Sent Events for a streamed {@code rkllm_run}, whose run is aborted when the
 * client goes away before the end.
 */
final class JsonRpcEndpoint {

    private final JsonRpcDispatcher dispatcher;

    private final StreamManager manager;

    private final DataSize maxRequest;

    private final SseEvents sse;

    JsonRpcEndpoint(JsonRpcDispatcher dispatcher, StreamManager manager, DataSize maxRequest, SseEvents sse) {
        this.dispatcher = dispatcher;
        this.manager = manager;
        this.maxRequest = maxRequest;
        this.sse = sse;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        long declared = request.headers().contentLength().orElse(-1);
        if (declared > this.maxRequest.toBytes()) {
            return tooLarge();
        }
        boolean acceptsEventStream = acceptsEventStream(request);
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), (int) this.maxRequest.toBytes())
            .map((buffer) -> {
                byte[] bytes = new byte[buffer.readableByteCount()];
                buffer.read(bytes);
                DataBufferUtils.release(buffer);
                return bytes;
            })
            .defaultIfEmpty(new byte[0])
            .flatMap((body) -> this.dispatcher.dispatch(body, acceptsEventStream))
            .flatMap(this::reply)
            .onErrorResume(DataBufferLimitException.class, (ex) -> tooLarge());
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

    private Mono<ServerResponse> reply(JsonRpcDispatcher.Reply reply) {
        if (reply instanceof Stream stream) {
            return streamed(stream.reply().session());
        }
        if (reply instanceof Json json) {
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(json.body());
        }
        return ServerResponse.noContent().build();
    }

    private Mono<ServerResponse> streamed(StreamSession session) {
        return this.sse.respond(this.sse.sessionEvent(session), session.events(-1)
            .doOnCancel(() -> Schedulers.boundedElastic().schedule(() -> this.manager.abort(session))));
    }

    private Mono<ServerResponse> tooLarge() {
        return ServerResponse.status(HttpStatus.CONTENT_TOO_LARGE)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(ErrorBodies.of(ErrorCode.INVALID_REQUEST,
                    "the request body exceeds rkllm.limits.max-request-bytes (" + this.maxRequest + ")"));
    }

}
