package io.rkllm.gateway.rpc;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One call as a handler sees it.
 *
 * @param id the request's id; null for a notification
 * @param acceptsEventStream whether the HTTP request accepts {@code text/event-stream}, so a run may answer as SSE
 */
public record RpcCall(String method, Params params, @Nullable JsonNode id, boolean acceptsEventStream) {

    /** The id as a plain Java value (String, Long, BigInteger, Double) for looking sessions up by it. */
    public @Nullable Object idValue() {
        return (this.id == null || this.id.isNull()) ? null : idValueOf(this.id);
    }

    /** A request id as the key sessions are registered under: strings as they are, integers as Long. */
    public static Object idValueOf(JsonNode id) {
        if (id.isString()) {
            return id.stringValue();
        }
        if (id.isIntegralNumber() && id.canConvertToLong()) {
            return id.longValue();
        }
        return id.toString();
    }

}
