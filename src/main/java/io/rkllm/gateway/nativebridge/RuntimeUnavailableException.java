package io.rkllm.gateway.nativebridge;

/** The runtime cannot serve: the library or the model is not loaded; the message says why. */
public class RuntimeUnavailableException extends RuntimeException {

    public RuntimeUnavailableException(String reason) {
        super(reason);
    }

    /** With the failure that made it unavailable, for the log; {@code reason} is what callers are told. */
    public RuntimeUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }

}
