package io.rkllm.gateway.stream;

import java.util.List;
import java.util.Optional;

import io.rkllm.gateway.nativebridge.RunRequest;
import org.jspecify.annotations.Nullable;

/**
 * Runs and sessions shared by several gateways ({@code rkllm.cluster.mode: redis}): a run accepted here is queued for
 * whichever board is free, and any gateway serves any session. Absent in the local mode, where the stream manager
 * queues and keeps everything itself.
 */
public interface SharedRuns {

    /**
     * Queues the run of a session just accepted; its position, start, chunks and end come through {@code feed}.
     * Refuses with -32003 when the shared store is unreachable and -32000 when the model's queue is full.
     */
    void submit(RunRequest request, SessionFeed feed);

    /** The session with this id that some gateway started, if the shared store still has it. */
    Optional<SharedSession> find(String id);

    /** Fills a local copy of a shared session from its log, then keeps it up to date until it ends. */
    void follow(SessionFeed feed);

    /** Why no run can be taken now (the shared store is unreachable), or null. */
    @Nullable String unavailable();

    /** The boards that took part recently, as their heartbeats show them. */
    List<BoardStatus> boards();

}
