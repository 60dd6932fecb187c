package io.rkllm.gateway.rpc;

import io.rkllm.gateway.stream.StreamSession;

/**
 * A result that is not JSON but the session's output as Server-Sent Events in the same HTTP response; the web layer
 * renders it and aborts the run when the client goes away.
 */
public record StreamingReply(StreamSession session) {
}
