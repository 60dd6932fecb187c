package io.rkllm.gateway.observability;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.StreamSession;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One session as {@code /actuator/streams} lists it. Points in time are ISO-8601 UTC text
 * ({@code 2025-01-31T12:00:00.123Z}), made here so that the wire format does not depend on the settings of whichever
 * JSON mapper Actuator uses.
 *
 * @param seq the sequence number the next chunk will carry (= the chunks sent so far, the end chunk included)
 * @param subscribers clients reading the session now
 * @param created when the session was accepted
 * @param lastActivity the last time a client named or watched the session
 * @param transport how the session was started ({@code rpc}, {@code rpc-sse}, {@code test}, ...)
 * @param queuePosition 1-based place in the inference queue, only while queued
 * @param key the name of the API key that started the session, when keys are set
 * @param model the id of the model the session runs on (none for a synthetic stream)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record SessionDescriptor(String id, SessionState state, long seq, int subscribers, String created,
        String lastActivity, String transport, @Nullable Integer queuePosition, @Nullable String key,
        @Nullable String model) {

    /** A snapshot of the session now. */
    public static SessionDescriptor of(StreamSession session) {
        return new SessionDescriptor(session.id(), session.state(), session.nextSeq(), session.subscribers(),
                session.created().toString(), session.lastActivity().toString(), session.transport(),
                session.queuePosition(), session.owner().keyName(), session.model());
    }

}
