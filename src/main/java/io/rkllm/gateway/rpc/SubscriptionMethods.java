package io.rkllm.gateway.rpc;

import java.util.List;

import io.rkllm.gateway.stream.StreamManager;
import reactor.core.publisher.Mono;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code subscribe} and {@code unsubscribe}: a transport that pushes notifications (the WebSocket) starts and stops
 * pushing a session's chunks. Over HTTP, which answers each call once and has no channel to push on, they answer
 * -32601 naming where they are served and what HTTP offers instead.
 */
public class SubscriptionMethods implements RpcMethodProvider {

    private static final ParamSpec SESSION_ID = ParamSpec.required("session_id", "string", "the session");

    private final StreamManager manager;

    public SubscriptionMethods(StreamManager manager) {
        this.manager = manager;
    }

    @Override
    public List<RpcMethod> rpcMethods() {
        return List.of(
                RpcMethod.of("subscribe", "WebSocket only: pushes a session's chunks as rkllm_stream notifications "
                        + "and its state changes as rkllm_status, from since_seq on (default: every chunk kept).",
                        List.of(SESSION_ID, ParamSpec.optional("since_seq", "integer", "the first chunk wanted")),
                        this::subscribe),
                RpcMethod.of("unsubscribe", "WebSocket only: stops pushing a session; a run started on the socket "
                        + "goes on. next_seq is where a later subscribe resumes.", List.of(SESSION_ID),
                        this::unsubscribe));
    }

    private Mono<Subscription> subscribe(RpcCall call) {
        SessionPush push = requirePush(call);
        String id = call.params().requireString("session_id");
        Long since = call.params().longValue("since_seq", 0, Long.MAX_VALUE);
        long from = (since != null) ? since : 0;
        return this.manager.attach(id, from - 1, call.context().caller()).map((reader) -> {
            // Chunks older than the replay window are gone: the first chunk pushed is the oldest kept.
            long next = Math.max(from, reader.session().firstKeptSeq());
            if (!push.follow(reader, next)) {
                throw call.params().invalid("session_id", "is already pushed on this socket; unsubscribe first");
            }
            return new Subscription(id, next);
        });
    }

    private Mono<Subscription> unsubscribe(RpcCall call) {
        SessionPush push = requirePush(call);
        String id = call.params().requireString("session_id");
        long next = push.unfollow(id)
            .orElseThrow(() -> call.params().invalid("session_id", "is not pushed on this socket"));
        return Mono.just(new Subscription(id, next));
    }

    private static SessionPush requirePush(RpcCall call) {
        SessionPush push = call.context().push();
        if (push == null) {
            throw new GatewayException(ErrorCode.METHOD_NOT_FOUND, call.method()
                    + " is served on the WebSocket /ws only; over HTTP read a session with GET /streams/{id} or poll");
        }
        return push;
    }

    /** The answer to {@code subscribe} and {@code unsubscribe}: where the pushed chunks start, or would resume. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Subscription(String sessionId, long nextSeq) {
    }

}
