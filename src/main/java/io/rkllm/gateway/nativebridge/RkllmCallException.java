package io.rkllm.gateway.nativebridge;

/** A native RKLLM function returned a failure code. */
public class RkllmCallException extends RuntimeException {

    private final String function;

    private final int code;

    public RkllmCallException(String function, int code) {
        super(function + " failed with code " + code);
        this.function = function;
        this.code = code;
    }

    /** The C function that failed. */
    public String function() {
        return this.function;
    }

    /** What it returned. */
    public int code() {
        return this.code;
    }

}
