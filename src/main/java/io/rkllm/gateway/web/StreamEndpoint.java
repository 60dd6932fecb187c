package io.rkllm.gateway.web;

import java.util.Optional;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.security.Callers;
import io.rkllm.gateway.stream.StreamManager;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /streams/{id}}: a session's output as Server-Sent Events, from the start or after the seq in
 * {@code Last-Event-ID} (header, or {@code last_event_id} query parameter for clients that cannot set headers).
 * Unknown session, or one that another key started: 404 with a JSON-RPC-style error body.
 */
final class StreamEndpoint {

    private final StreamManager manager;

    private final SseEvents sse;

    StreamEndpoint(StreamManager manager, SseEvents sse) {
        this.manager = manager;
        this.sse = sse;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        String id = request.pathVariable("id");
        String lastEventId = Optional.ofNullable(request.headers().firstHeader("Last-Event-ID"))
            .or(() -> request.queryParam("last_event_id"))
            .orElse(null);
        long afterSeq = (lastEventId != null) ? seq(lastEventId) : -1;
        if (lastEventId != null && afterSeq < 0) {
            return error(HttpStatus.BAD_REQUEST, ErrorCode.INVALID_PARAMS,
                    "Last-Event-ID must be the seq of a chunk (an integer, 0 or more)");
        }
        return Callers.of(request.exchange()).flatMap((caller) -> this.manager.attach(id, afterSeq, caller)
            .flatMap((stream) -> this.sse.respond(null, stream.events()))
            .onErrorResume(GatewayException.class, (ex) -> error(statusOf(ex.errorCode()), ex.errorCode(),
                    ex.getMessage())));
    }

    /** 404 for a session there is none of; 503 when the shared store that would know of it is unreachable. */
    private static HttpStatus statusOf(ErrorCode code) {
        return (code == ErrorCode.RUNTIME_UNAVAILABLE) ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.NOT_FOUND;
    }

    /** The seq a Last-Event-ID names; -1 when it names none (not an integer, or negative: seqs start at 0). */
    private static long seq(String lastEventId) {
        try {
            return Math.max(Long.parseLong(lastEventId.trim()), -1);
        }
        catch (NumberFormatException ex) {
            return -1;
        }
    }

    private static Mono<ServerResponse> error(HttpStatus status, ErrorCode code, String message) {
        return ServerResponse.status(status)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(ErrorBodies.of(code, message));
    }

}
