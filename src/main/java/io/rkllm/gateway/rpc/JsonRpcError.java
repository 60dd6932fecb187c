package io.rkllm.gateway.rpc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * The {@code error} member of a JSON-RPC response.
 *
 * @param data what a client can act on beyond the message ({@code {"retry_after_ms":1200}}), or absent
 */
public record JsonRpcError(int code, String message, @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Object data) {

    public JsonRpcError(int code, String message) {
        this(code, message, null);
    }

    public static JsonRpcError of(ErrorCode code, String message) {
        return new JsonRpcError(code.code(), message);
    }

    /** The client's view of a {@link GatewayException}, with its retry hint when it has one. */
    public static JsonRpcError of(GatewayException ex) {
        return new JsonRpcError(ex.errorCode().code(), ex.getMessage(),
                (ex.retryAfter() != null) ? new RetryHint(ex.retryAfter().toMillis()) : null);
    }

    /** When asking again may succeed, in milliseconds from the answer. */
    public record RetryHint(@JsonProperty("retry_after_ms") long retryAfterMs) {
    }

}
