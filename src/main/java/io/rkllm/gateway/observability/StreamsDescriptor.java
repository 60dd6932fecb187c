package io.rkllm.gateway.observability;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

import io.rkllm.gateway.stream.StreamManagerStatus;
import io.rkllm.gateway.stream.StreamSession;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.rkllm.gateway.stream.BoardStatus;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * What {@code GET /actuator/streams} answers: the fields of {@code stream_manager_status} plus one
 * {@link SessionDescriptor} per session, oldest first.
 *
 * @param activeSessions sessions held (any state) until they are evicted
 * @param queued sessions waiting for the NPU
 * @param runningSessionId the session on the NPU now
 * @param boards the cluster's boards ({@code rkllm.cluster.mode: redis}); absent in the local mode
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StreamsDescriptor(boolean initialized, int activeSessions, int maxSessions, int queued,
        @Nullable String runningSessionId, long sessionsCreated, long sessionsEvicted,
        List<SessionDescriptor> sessions,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable List<BoardStatus> boards) {

    public StreamsDescriptor {
        sessions = List.copyOf(sessions);
    }

    /** The manager's status and its sessions, taken one after the other (not one atomic snapshot). */
    public static StreamsDescriptor of(StreamManagerStatus status, Collection<StreamSession> sessions) {
        List<SessionDescriptor> ordered = sessions.stream()
            .sorted(Comparator.comparing(StreamSession::created).thenComparing(StreamSession::id))
            .map(SessionDescriptor::of)
            .toList();
        return new StreamsDescriptor(status.initialized(), status.activeSessions(), status.maxSessions(),
                status.queued(), status.runningSessionId(), status.sessionsCreated(), status.sessionsEvicted(),
                ordered, status.boards());
    }

}
