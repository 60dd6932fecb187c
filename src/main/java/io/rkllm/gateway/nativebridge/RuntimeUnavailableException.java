package io.rkllm.gateway.nativebridge;

/** The runtime cannot serve: the library or the model is not loaded; the message says why. */
public class RuntimeUnavailableException extends RuntimeException {

    public RuntimeUnavailableException(String reason) {
        super(reason);
    }

}
