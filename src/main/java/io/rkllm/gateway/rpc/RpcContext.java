package io.rkllm.gateway.rpc;

import io.rkllm.gateway.stream.Caller;
import org.jspecify.annotations.Nullable;

/**
 * What the transport that carries a call tells its handler.
 *
 * @param transport the name sessions started by the call record ({@code rpc}, {@code ws}, ...)
 * @param acceptsEventStream whether a run may answer as Server-Sent Events in the same HTTP response
 * @param caller who asks: the sessions the call starts are theirs, and it may touch only theirs
 * @param push where sessions' events go as they happen, for a transport that pushes them (the WebSocket); null for
 * one that answers each call once (HTTP)
 */
public record RpcContext(String transport, boolean acceptsEventStream, Caller caller, @Nullable SessionPush push) {

    /**
     * A call whose transport does not name its caller: it is {@link Caller#UNIDENTIFIED}, which owns nothing another
     * caller started and may call no admin method.
     */
    public RpcContext(String transport, boolean acceptsEventStream) {
        this(transport, acceptsEventStream, Caller.UNIDENTIFIED, null);
    }

    /** A caller that gets one answer per call. */
    public RpcContext(String transport, boolean acceptsEventStream, Caller caller) {
        this(transport, acceptsEventStream, caller, null);
    }

    /** The same caller, for a call that must answer with JSON (a member of a batch, a notification). */
    RpcContext jsonOnly() {
        return this.acceptsEventStream ? new RpcContext(this.transport, false, this.caller, this.push) : this;
    }

}
