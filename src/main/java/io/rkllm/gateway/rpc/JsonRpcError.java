package io.rkllm.gateway.rpc;

import io.rkllm.gateway.rpc.ErrorCode;

/** The {@code error} member of a JSON-RPC response. */
public record JsonRpcError(int code, String message) {

    public static JsonRpcError of(ErrorCode code, String message) {
        return new JsonRpcError(code.code(), message);
    }

}
