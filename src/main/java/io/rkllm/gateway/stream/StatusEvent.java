package io.rkllm.gateway.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * A session's state changed: {@code {"state":"queued","position":2}} or {@code {"state":"running"}}.
 *
 * @param position 1-based place in the queue, while queued
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusEvent(SessionState state, @Nullable Integer position) implements StreamEvent {
}
