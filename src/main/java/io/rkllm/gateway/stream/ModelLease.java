package io.rkllm.gateway.stream;

import java.util.concurrent.CompletableFuture;

import io.rkllm.gateway.nativebridge.RkllmRuntime;

/** One run's claim on its model: the model stays loaded until the claim is released. */
public interface ModelLease {

    /** The model's id (a request may have named it by an alias). */
    String modelId();

    /**
     * Completes with the model's runtime once it is loaded (at once when it already is), or fails with the reason
     * the model could not be loaded.
     */
    CompletableFuture<RkllmRuntime> runtime();

    /** The run is over or will not happen; called once or more, only the first counts. */
    void release();

}
