package io.rkllm.gateway.security;

import java.util.LinkedHashMap;
import java.util.Map;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.JsonRpcError;
import io.rkllm.gateway.rpc.JsonRpcResponse;
import org.springframework.http.HttpStatus;

/**
 * The error body each API's clients parse, chosen by the request path: OpenAI's {@code {"error":{…}}} under
 * {@code /v1}, Ollama's {@code {"error":"…"}} under {@code /api}, a JSON-RPC response everywhere else ({@code /rpc},
 * {@code /}, {@code /streams}, {@code /ws}, {@code /mcp}). Refusals made before a request reaches its API (a missing
 * key, a form body, a busy client) are written through here, and the adapters use it for the same answers.
 */
public enum ErrorShape {

    /** {@code {"jsonrpc":"2.0","id":null,"error":{"code","message"}}}. */
    JSON_RPC {
        @Override
        public Object body(HttpStatus status, ErrorCode code, String message) {
            return JsonRpcResponse.error(null, JsonRpcError.of(code, message));
        }
    },

    /** {@code {"error":{"message","type","param","code"}}}. */
    OPENAI {
        @Override
        public Object body(HttpStatus status, ErrorCode code, String message) {
            String[] typeAndCode = switch (status) {
                case UNAUTHORIZED -> new String[] { "invalid_request_error", "invalid_api_key" };
                case FORBIDDEN -> new String[] { "invalid_request_error", "insufficient_permissions" };
                case TOO_MANY_REQUESTS -> new String[] { "requests", "rate_limit_exceeded" };
                case NOT_FOUND -> new String[] { "invalid_request_error", "not_found" };
                case SERVICE_UNAVAILABLE -> new String[] { "server_error", "service_unavailable" };
                default -> new String[] { "invalid_request_error", null };
            };
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", message);
            error.put("type", typeAndCode[0]);
            error.put("param", null);
            error.put("code", typeAndCode[1]);
            return Map.of("error", error);
        }
    },

    /** {@code {"error":"…"}}. */
    OLLAMA {
        @Override
        public Object body(HttpStatus status, ErrorCode code, String message) {
            return Map.of("error", message);
        }
    };

    /**
     * The body of an error answer.
     *
     * @param code what a JSON-RPC client reads; the other shapes go by the status
     */
    public abstract Object body(HttpStatus status, ErrorCode code, String message);

    /** The shape of the API that serves this path. */
    public static ErrorShape forPath(String path) {
        if (path.equals("/v1") || path.startsWith("/v1/")) {
            return OPENAI;
        }
        if (path.equals("/api") || path.startsWith("/api/")) {
            return OLLAMA;
        }
        return JSON_RPC;
    }

}
