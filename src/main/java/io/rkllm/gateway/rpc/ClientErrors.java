package io.rkllm.gateway.rpc;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.rkllm.gateway.nativebridge.InvalidParameterException;
import io.rkllm.gateway.nativebridge.RkllmCallException;
import io.rkllm.gateway.nativebridge.RuntimeUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure becomes what a client is told: the native bridge's failures by their kind, a
 * {@link GatewayException} as it is, and anything else as -32603 with a fixed message, its cause logged and never
 * sent. Every transport and the stream manager go through here, so no two of them word or classify a failure apart.
 */
public final class ClientErrors {

    private static final Logger logger = LoggerFactory.getLogger(ClientErrors.class);

    /** What a client reads for a failure nobody expected. */
    public static final String INTERNAL_ERROR_MESSAGE = "internal error";

    private ClientErrors() {
    }

    /**
     * The client's view of a failure.
     *
     * @param context what failed, for the log line of an unexpected failure ({@code "method rkllm_run"})
     */
    public static GatewayException translate(Throwable failure, String context) {
        Throwable ex = unwrap(failure);
        if (ex instanceof GatewayException gateway) {
            return gateway;
        }
        if (ex instanceof InvalidParameterException invalid) {
            return new GatewayException(ErrorCode.INVALID_PARAMS, invalid.getMessage());
        }
        if (ex instanceof RuntimeUnavailableException unavailable) {
            return GatewayException.runtimeUnavailable(unavailable.getMessage());
        }
        if (ex instanceof RkllmCallException call) {
            return new GatewayException(ErrorCode.INFERENCE_FAILED, call.getMessage());
        }
        logger.error("{} failed", context, ex);
        return new GatewayException(ErrorCode.INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable ex = failure;
        while ((ex instanceof CompletionException || ex instanceof ExecutionException) && ex.getCause() != null) {
            ex = ex.getCause();
        }
        return ex;
    }

}
