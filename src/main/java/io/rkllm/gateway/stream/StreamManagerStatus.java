package io.rkllm.gateway.stream;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The stream manager at a glance, as {@code stream_manager_status} and {@code /actuator/streams} report it.
 *
 * @param activeSessions sessions held (any state) until they are evicted
 * @param queued sessions waiting for the NPU
 * @param runningSessionId the session on the NPU now
 * @param boards the cluster's boards ({@code rkllm.cluster.mode: redis}); absent in the local mode
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StreamManagerStatus(boolean initialized, int activeSessions, int maxSessions, int queued,
        @Nullable String runningSessionId, long sessionsCreated, long sessionsEvicted,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable List<BoardStatus> boards) {
}
