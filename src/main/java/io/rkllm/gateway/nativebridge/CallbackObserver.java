package io.rkllm.gateway.nativebridge;

/** Told how long each native callback spent in Java; called on the callback thread, so it must be cheap. */
@FunctionalInterface
public interface CallbackObserver {

    /** Does nothing. */
    CallbackObserver NONE = (nanos) -> {
    };

    void callbackTook(long nanos);

}
