package io.rkllm.gateway.rpc;

/**
 * What the transport that carries a call tells its handler.
 *
 * @param transport the name sessions started by the call record ({@code rpc}, {@code ws}, ...)
 * @param acceptsEventStream whether a run may answer as Server-Sent Events in the same HTTP response
 */
public record RpcContext(String transport, boolean acceptsEventStream) {

    /** The same caller, for a call that must answer with JSON (a member of a batch, a notification). */
    RpcContext jsonOnly() {
        return this.acceptsEventStream ? new RpcContext(this.transport, false) : this;
    }

}
