package io.rkllm.gateway.rpc;

import org.jspecify.annotations.Nullable;

/**
 * What the transport that carries a call tells its handler.
 *
 * @param transport the name sessions started by the call record ({@code rpc}, {@code ws}, ...)
 * @param acceptsEventStream whether a run may answer as Server-Sent Events in the same HTTP response
 * @param push where sessions' events go as they happen, for a transport that pushes them (the WebSocket); null for
 * one that answers each call once (HTTP)
 */
public record RpcContext(String transport, boolean acceptsEventStream, @Nullable SessionPush push) {

    /** A caller that gets one answer per call. */
    public RpcContext(String transport, boolean acceptsEventStream) {
        this(transport, acceptsEventStream, null);
    }

    /** The same caller, for a call that must answer with JSON (a member of a batch, a notification). */
    RpcContext jsonOnly() {
        return this.acceptsEventStream ? new RpcContext(this.transport, false, this.push) : this;
    }

}
