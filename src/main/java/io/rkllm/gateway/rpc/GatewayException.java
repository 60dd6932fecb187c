package io.rkllm.gateway.rpc;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** The one exception a client is told about: its code and message go on the wire as they are. */
public class GatewayException extends RuntimeException {

    private final ErrorCode errorCode;

    private final @Nullable Duration retryAfter;

    public GatewayException(ErrorCode errorCode, String message) {
        this(errorCode, message, null);
    }

    /** @param retryAfter when asking again may succeed (a busy client's limit), or null when nobody can tell */
    public GatewayException(ErrorCode errorCode, String message, @Nullable Duration retryAfter) {
        super(message, null, false, false);
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
    }

    /** -32003, the library or the model not loaded, with the reason a client may read. */
    public static GatewayException runtimeUnavailable(String reason) {
        return new GatewayException(ErrorCode.RUNTIME_UNAVAILABLE, "runtime unavailable: " + reason);
    }

    /** A retry hint in whole seconds, as HTTP's {@code Retry-After} has it: rounded up, at least 1. */
    public static long retryAfterSeconds(Duration retryAfter) {
        long seconds = retryAfter.toSeconds() + ((retryAfter.toNanosPart() > 0) ? 1 : 0);
        return Math.max(seconds, 1);
    }

    /** What kind of failure this is. */
    public ErrorCode errorCode() {
        return this.errorCode;
    }

    /** When asking again may succeed: HTTP APIs send it as {@code Retry-After}, JSON-RPC in the error's data. */
    public @Nullable Duration retryAfter() {
        return this.retryAfter;
    }

}
