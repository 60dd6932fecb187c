package io.rkllm.gateway.rpc;

import java.math.BigDecimal;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One call as a handler sees it.
 *
 * @param id the request's id; null for a notification
 * @param context what the transport says of the caller
 */
public record RpcCall(String method, Params params, @Nullable JsonNode id, RpcContext context) {

    /** The key the sessions this call starts are found by with {@code poll}'s {@code request_id}; null for none. */
    public @Nullable Object requestKey() {
        return (this.id == null || this.id.isNull()) ? null : requestKeyOf(this.id);
    }

    /**
     * A request id as a lookup key: a string stays a string and a number becomes its exact value, so {@code 1} and
     * {@code "1"} are different ids while {@code 1} read as an int, a long or a big integer is one.
     */
    public static Object requestKeyOf(JsonNode id) {
        if (id.isString()) {
            return id.stringValue();
        }
        if (id.isNumber()) {
            BigDecimal value = id.decimalValue();
            return (value.signum() == 0) ? BigDecimal.ZERO : value.stripTrailingZeros();
        }
        return id.toString();
    }

}
