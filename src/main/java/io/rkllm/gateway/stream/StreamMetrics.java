package io.rkllm.gateway.stream;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

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

    /** A session of {@code model} had its first text this long after it was accepted. */
    default void firstToken(String model, Duration sinceAccepted) {
        firstToken(sinceAccepted);
    }

    /** The tokens of {@code model} are counted in {@code count} from now on (called once per model). */
    default void tokensCounted(String model, LongAdder count) {
    }

}
