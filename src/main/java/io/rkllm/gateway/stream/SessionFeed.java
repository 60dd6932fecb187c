package io.rkllm.gateway.stream;

/**
 * What a shared run's log tells the local side of its session: position, start, numbered chunks, and where aborts go.
 * The stream manager hands one to its {@link SharedRuns} for each session they carry.
 */
public final class SessionFeed {

    private final StreamSession session;

    SessionFeed(StreamSession session) {
        this.session = session;
    }

    public StreamSession session() {
        return this.session;
    }

    /** The run waits at this 1-based place of its model's shared queue. */
    public void queued(int position) {
        this.session.markQueued(position);
    }

    /** A board started the run. */
    public void running() {
        this.session.markRunning();
    }

    /** A chunk of the run as the board numbered it; the end chunk ends the session. */
    public void chunk(StreamChunk chunk) {
        this.session.mirror(chunk);
    }

    /** Aborts of this session go to {@code run} from now on. */
    public void abortsTo(RemoteRun run) {
        this.session.attach(run);
    }

}
