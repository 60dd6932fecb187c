package io.rkllm.gateway.web;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.JsonRpcDispatcher;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Json;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Stream;
import io.rkllm.gateway.rpc.RpcContext;
import io.rkllm.gateway.security.Callers;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.StreamLinks;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code POST /rpc} and {@code POST /}: reads the body (at most {@code rkllm.limits.max-request-bytes}, else 413),
 * hands it to the dispatcher, and sends its reply: JSON with HTTP 200 for every JSON-RPC answer, errors included,
 * 204 for notifications only, or Server-Sent Events for a streamed {@code rkllm_run}, whose run is aborted when the
 * client goes away before the end.
 */
final class JsonRpcEndpoint {

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
        boolean eventStream = acceptsEventStream(request);
        return Callers.of(request.exchange()).flatMap((caller) -> {
            RpcContext context = new RpcContext("rpc", eventStream, caller);
            return RequestBodies.read(request, this.maxRequest)
                .flatMap((body) -> this.dispatcher.dispatch(body, context))
                .flatMap((reply) -> reply(reply, caller));
        }).onErrorResume(RequestBodies.TooLargeException.class, (ex) -> tooLarge(ex.getMessage()));
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

    private static Mono<ServerResponse> tooLarge(String message) {
        return ServerResponse.status(HttpStatus.CONTENT_TOO_LARGE)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(ErrorBodies.of(ErrorCode.INVALID_REQUEST, message));
    }

}
