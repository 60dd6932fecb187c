package io.rkllm.gateway.rpc;

/** The one exception a client is told about: its code and message go on the wire as they are. */
public class GatewayException extends RuntimeException {

    private final ErrorCode errorCode;

    public GatewayException(ErrorCode errorCode, String message) {
        super(message, null, false, false);
        this.errorCode = errorCode;
    }

    /** -32003, the library or the model not loaded, with the reason a client may read. */
    public static GatewayException runtimeUnavailable(String reason) {
        return new GatewayException(ErrorCode.RUNTIME_UNAVAILABLE, "runtime unavailable: " + reason);
    }

    /** What kind of failure this is. */
    public ErrorCode errorCode() {
        return this.errorCode;
    }

}
