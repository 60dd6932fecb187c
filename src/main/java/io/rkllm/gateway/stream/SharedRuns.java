package io.rkllm.gateway.stream;

import java.util.List;

import io.rkllm.gateway.nativebridge.RunRequest;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Runs and sessions shared by several gateways ({@code rkllm.cluster.mode: redis}): a run accepted here is queued for
 * whichever board is free, and any gateway serves any session. Absent in the local mode, where the stream manager
 * queues and keeps everything itself. Nothing here waits for the shared store on the caller's thread, which may be
 * one of the web server's event loops.
 */
public interface SharedRuns {

    /**
     * Queues the run of a session just accepted; its position, start, chunks and end come through {@code feed}.
     * Completes once the run is queued; fails with -32003 when the shared store is unreachable, and with -32000 when
     * the model's queue is full or the caller's client has used its share across the cluster.
     */
    Mono<Void> submit(RunRequest request, SessionFeed feed);

    /** The session with this id that some gateway started; empty when the shared store no longer has it. */
    Mono<SharedSession> find(String id);

    /**
     * Fills a local copy of a shared session from its log, then keeps it up to date until it ends; completes once the
     * log so far is in the copy.
     */
    Mono<Void> follow(SessionFeed feed);

    /** Why no run can be taken now (the shared store is unreachable), or null. */
    @Nullable String unavailable();

    /** The boards that took part recently, as their last heartbeats showed them when this gateway last looked. */
    List<BoardStatus> boards();

}
