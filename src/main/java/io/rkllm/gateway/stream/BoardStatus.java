package io.rkllm.gateway.stream;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One board of a cluster as its last heartbeat showed it.
 *
 * @param models the queues it takes jobs from: its models' ids, and {@code default} for runs that name none
 * @param state {@code idle} (it claims the next job) or {@code busy}
 * @param runningSessionId the session it runs now
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BoardStatus(String id, List<String> models, String state, @Nullable String runningSessionId) {
}
