package io.rkllm.gateway.rpc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.StatusEvent;
import io.rkllm.gateway.stream.StreamChunk;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A JSON-RPC 2.0 notification from the service to a client that it pushes to (the WebSocket): a session's chunk
 * ({@code rkllm_stream}) or state change ({@code rkllm_status}).
 */
@JsonPropertyOrder({ "jsonrpc", "method", "params" })
public record JsonRpcNotification(String jsonrpc, String method, Object params) {

    /** {@code {"jsonrpc":"2.0","method":"rkllm_stream","params":{"session_id","chunk"}}}. */
    public static JsonRpcNotification chunk(String sessionId, StreamChunk chunk) {
        return new JsonRpcNotification("2.0", "rkllm_stream", new Chunk(sessionId, chunk));
    }

    /** {@code {"jsonrpc":"2.0","method":"rkllm_status","params":{"session_id","state","position"?}}}. */
    public static JsonRpcNotification status(String sessionId, StatusEvent status) {
        return new JsonRpcNotification("2.0", "rkllm_status",
                new Status(sessionId, status.state(), status.position()));
    }

    /** The params of {@code rkllm_stream}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Chunk(String sessionId, StreamChunk chunk) {
    }

    /** The params of {@code rkllm_status}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Status(String sessionId, SessionState state, @Nullable Integer position) {
    }

}
