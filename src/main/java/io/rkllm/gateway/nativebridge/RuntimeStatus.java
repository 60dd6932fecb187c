package io.rkllm.gateway.nativebridge;

import org.jspecify.annotations.Nullable;

/**
 * What the runtime is: which library, which ABI, which model, and whether it can serve.
 *
 * @param state where the runtime stands
 * @param reason why it cannot serve, when it cannot
 * @param version the runtime version the library file carries, when it carries one
 */
public record RuntimeStatus(State state, String libraryPath, @Nullable String abi, @Nullable String version,
        @Nullable String modelPath, @Nullable String reason) {

    /** Where the runtime stands. */
    public enum State {

        /** The library is loaded and the model is being initialised. */
        INITIALIZING,

        /** The model is loaded; runs are accepted. */
        READY,

        /** The library or the model could not be loaded, or the handle was destroyed; see the reason. */
        UNAVAILABLE,

        /** The runtime was closed. */
        CLOSED

    }

    /** Whether runs are accepted. */
    public boolean ready() {
        return this.state == State.READY;
    }

}
