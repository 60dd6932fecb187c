package io.rkllm.gateway.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * A session's state changed: {@code {"state":"queued","loading":true}} while its model loads,
 * {@code {"state":"queued","position":2}} or {@code {"state":"running"}}.
 *
 * @param position 1-based place in its model's queue, while queued
 * @param loading true while the session waits for its model to be loaded; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusEvent(SessionState state, @Nullable Integer position, @Nullable Boolean loading)
        implements StreamEvent {

    /** A state change of a session whose model is loaded. */
    public StatusEvent(SessionState state, @Nullable Integer position) {
        this(state, position, null);
    }

}
