package io.rkllm.gateway.stream;

import reactor.core.publisher.Flux;

/**
 * What every transport gets from the stream manager: a session and its events from a seq on. When the caller started
 * the run, cancelling the events (the client went away) aborts it; a caller that only attached leaves it running.
 */
public record SessionStream(StreamSession session, Flux<StreamEvent> events) {

    /** The session's id. */
    public String id() {
        return this.session.id();
    }

}
