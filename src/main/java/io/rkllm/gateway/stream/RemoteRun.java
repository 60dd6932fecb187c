package io.rkllm.gateway.stream;

import org.jspecify.annotations.Nullable;

/** The run of a session that another process carries out: stopping it means asking that process. */
@FunctionalInterface
public interface RemoteRun {

    /**
     * Asks for the run to stop; its end chunk (saying {@code finishReason}, and {@code cause} as its reason when one
     * is given) comes back the way its other chunks come.
     */
    void abort(String finishReason, @Nullable String cause);

}
