package io.rkllm.gateway.web;

import io.rkllm.gateway.rpc.JsonRpcError;
import io.rkllm.gateway.rpc.JsonRpcResponse;
import io.rkllm.gateway.rpc.ErrorCode;

/** JSON-RPC-style error bodies for answers that are HTTP errors (404, 413): the same shape clients already parse. */
final class ErrorBodies {

    private ErrorBodies() {
    }

    static JsonRpcResponse of(ErrorCode code, String message) {
        return JsonRpcResponse.error(null, JsonRpcError.of(code, message));
    }

}
