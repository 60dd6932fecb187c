package io.rkllm.gateway.observability;

import io.rkllm.gateway.stream.StreamManager;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code streams} Actuator endpoint: lists the stream manager's sessions, shows one, and lets an operator abort
 * and remove a stuck one. A web endpoint rather than a technology-neutral one because its delete answers with HTTP
 * statuses: an operation that returns null answers 204 to a DELETE, not 404.
 */
@WebEndpoint(id = "streams")
public class StreamsEndpoint {

    private final StreamManager manager;

    public StreamsEndpoint(StreamManager manager) {
        this.manager = manager;
    }

    /** {@code GET /actuator/streams}. */
    @ReadOperation
    public StreamsDescriptor streams() {
        return StreamsDescriptor.of(this.manager.status(), this.manager.sessions());
    }

    /**
     * {@code GET /actuator/streams/{id}}: one session, or 404 for an unknown id (Actuator answers a null read so). An
     * operator's look does not keep the session from being evicted.
     */
    @ReadOperation
    public @Nullable SessionDescriptor session(@Selector String id) {
        return this.manager.peek(id).map(SessionDescriptor::of).orElse(null);
    }

    /**
     * {@code DELETE /actuator/streams/{id}}: aborts the session if it still runs or waits (it ends as
     * {@code aborted}) and forgets it; 204, or 404 for an unknown id.
     */
    @DeleteOperation
    public WebEndpointResponse<Void> remove(@Selector String id) {
        // Actuator calls blocking operations on boundedElastic in WebFlux, so the rkllm_abort this may make is off
        // the event loop.
        return new WebEndpointResponse<>(this.manager.remove(id) ? WebEndpointResponse.STATUS_NO_CONTENT
                : WebEndpointResponse.STATUS_NOT_FOUND);
    }

}
