package io.rkllm.gateway.mcp;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.rkllm.gateway.rpc.ClientErrors;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import reactor.core.publisher.Mono;

/**
 * The one place where a failure becomes what an MCP client reads, after {@link ClientErrors} made it client-safe.
 * As the MCP specification divides them: what the calling model can correct or act on (a bad argument, an unknown
 * session, a failed inference) is a tool result with {@code isError}, which the model reads; what the service itself
 * refuses (queue full, too many sessions, runtime unavailable, internal error) is an MCP error with the gateway's
 * code and message, as {@code /rpc} answers it. Nothing else reaches the SDK, which would send an exception's
 * message as it is.
 */
final class McpErrors {

    private McpErrors() {
    }

    /**
     * The answer to a tool call that failed.
     *
     * @param context what failed, for the log line of an unexpected failure ({@code "MCP tool generate"})
     */
    static Mono<CallToolResult> toolFailure(Throwable failure, String context) {
        GatewayException ex = ClientErrors.translate(failure, context);
        return switch (ex.errorCode()) {
            case INVALID_PARAMS, PATH_NOT_ALLOWED, SESSION_NOT_FOUND, INFERENCE_FAILED -> Mono.just(toolError(ex));
            default -> Mono.error(McpError.builder(ex.errorCode().code()).message(ex.getMessage()).build());
        };
    }

    /** A failure as the model reads it: the message, then the gateway's code. */
    private static CallToolResult toolError(GatewayException ex) {
        ErrorCode code = ex.errorCode();
        return CallToolResult.builder()
            .addTextContent(ex.getMessage() + " (error " + code.code() + ")")
            .isError(true)
            .build();
    }

}
