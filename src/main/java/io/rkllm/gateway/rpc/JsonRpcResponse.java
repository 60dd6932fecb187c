package io.rkllm.gateway.rpc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * A JSON-RPC 2.0 response: {@code result} or {@code error}, never both, and an {@code id} that is {@code null} when
 * the request's id could not be read.
 */
@JsonPropertyOrder({ "jsonrpc", "id", "result", "error" })
public record JsonRpcResponse(String jsonrpc, @JsonInclude(Include.ALWAYS) JsonNode id,
        @JsonInclude(Include.NON_NULL) @Nullable Object result, @JsonInclude(Include.NON_NULL) @Nullable JsonRpcError error) {

    public JsonRpcResponse {
        if ((result == null) == (error == null)) {
            throw new IllegalArgumentException("a JSON-RPC response holds a result or an error, exactly one of them");
        }
    }

    public static JsonRpcResponse result(@Nullable JsonNode id, Object result) {
        return new JsonRpcResponse("2.0", orNull(id), result, null);
    }

    public static JsonRpcResponse error(@Nullable JsonNode id, JsonRpcError error) {
        return new JsonRpcResponse("2.0", orNull(id), null, error);
    }

    private static JsonNode orNull(@Nullable JsonNode id) {
        return (id != null) ? id : NullNode.getInstance();
    }

}
