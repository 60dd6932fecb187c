package io.rkllm.gateway.rpc;

import reactor.core.publisher.Mono;

/** Answers one method; runs on an event-loop thread, so anything blocking or native goes elsewhere. */
@FunctionalInterface
public interface RpcHandler {

    Mono<?> handle(RpcCall call);

}
