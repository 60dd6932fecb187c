package io.rkllm.gateway.rpc;

import java.util.OptionalLong;

import io.rkllm.gateway.stream.SessionStream;
import reactor.core.publisher.Mono;

/**
 * A transport that pushes sessions' events to its caller as they happen (the WebSocket): the sessions its calls start
 * and those the caller subscribes to, each in seq order. When the caller goes, the transport cancels what it reads,
 * which aborts the runs its calls started and leaves the others alone.
 */
public interface SessionPush {

    /**
     * Pushes a session's events at once, for a call that answers after the session's end (a blocking
     * {@code rkllm_run}): its chunks reach the caller before its answer.
     *
     * @param reader the session's events from its first chunk on
     * @return completes once the end chunk is on its way to the caller (or the pushing stopped)
     */
    Mono<Void> relay(SessionStream reader);

    /**
     * Pushes the events of a session, from the answer to the current call on, until the session ends, the caller
     * unsubscribes or goes. The events are read without owning the run: stopping leaves it going.
     *
     * @param fromSeq the seq of the first chunk the reader gives
     * @return false when the caller already receives that session (nothing changes then)
     */
    boolean follow(SessionStream reader, long fromSeq);

    /** Holds a run the current call started for as long as the caller stays: the run is aborted when it goes. */
    void hold(SessionStream started);

    /**
     * Stops pushing a session's events; a run it holds stays held.
     *
     * @return the seq of the first chunk not pushed, empty when the session was not being pushed
     */
    OptionalLong unfollow(String sessionId);

}
