package io.rkllm.gateway.stream;

import java.time.Duration;

/**
 * What the stream manager reports as it happens (what it counts, it keeps itself); called on the native callback
 * thread, so it must be cheap.
 */
public interface StreamMetrics {

    /** Reports nothing. */
    StreamMetrics NONE = new StreamMetrics() {
    };

    /** A session's first text arrived this long after it was accepted. */
    default void firstToken(Duration sinceAccepted) {
    }

}
