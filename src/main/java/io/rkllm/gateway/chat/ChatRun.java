package io.rkllm.gateway.chat;

import java.util.ArrayList;
import java.util.List;

import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.chat.ChatEvent.Queued;
import io.rkllm.gateway.chat.ChatEvent.Usage;
import io.rkllm.gateway.nativebridge.Perf;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.StatusEvent;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamEvent;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamSession;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Schedulers;

/**
 * One chat run's session events read as {@link ChatEvent}s: the output parsed, bounded by the guard, ended early at a
 * stop text (the run is aborted, as the answer is complete), and, when the run ended as the client will see it, the
 * conversation it leaves in the KV cache named for the next turn. Called on the thread that delivers the session's
 * events (the native callback thread), so it does little and never calls the runtime there.
 */
final class ChatRun {

    private final StreamManager manager;

    private final StreamSession session;

    private final ChatRequest request;

    private final ConversationRenderer renderer;

    private final ConversationRenderer.Rendered rendered;

    private final OutputParser parser;

    private final RunawayGuard guard;

    private final ChatAnswer answer = new ChatAnswer();

    private int tokens;

    /** Set when the gateway ended the output itself: {@code stop} (a stop text) or {@code length} (the guard). */
    private @Nullable String endedEarly;

    ChatRun(StreamManager manager, StreamSession session, ChatRequest request,
            ConversationRenderer renderer, ConversationRenderer.Rendered rendered, RunawayGuard guard) {
        this.manager = manager;
        this.session = session;
        this.request = request;
        this.renderer = renderer;
        this.rendered = rendered;
        this.parser = new OutputParser(request.stop(), rendered.thinking());
        this.guard = guard;
    }

    List<ChatEvent> onEvent(StreamEvent event) {
        if (event instanceof StatusEvent status && status.state() == SessionState.QUEUED && status.position() != null) {
            return List.of(new Queued(status.position()));
        }
        if (!(event instanceof StreamChunk chunk)) {
            return List.of();
        }
        if (chunk.end()) {
            return end(chunk);
        }
        if (this.endedEarly != null) {
            return List.of();
        }
        this.tokens++;
        List<ChatEvent> events = this.parser.feed(chunk.delta());
        if (this.parser.stopped()) {
            endEarly("stop");
        }
        else if (this.guard.exceeded(chunk.delta())) {
            endEarly("length");
        }
        events.forEach(this.answer::add);
        return events;
    }

    private void endEarly(String finishReason) {
        this.endedEarly = finishReason;
        // Not on this thread: it may be the runtime's callback thread, which must not call into the runtime.
        Schedulers.boundedElastic().schedule(() -> this.manager.abort(this.session));
    }

    private List<ChatEvent> end(StreamChunk chunk) {
        List<ChatEvent> events = (this.endedEarly == null) ? this.parser.finish() : new ArrayList<>();
        events.forEach(this.answer::add);
        String finishReason = finishReason(chunk);
        if (this.endedEarly == null && !"error".equals(finishReason) && !"aborted".equals(finishReason)) {
            // Only an output that ran to its end is in the cache as the client sees it: one cut at a stop text or
            // by the guard holds more than the client will send back.
            this.manager.settleKvCache(this.session, this.rendered.plan(),
                    this.renderer.keyAfter(this.request, this.answer.asMessage()));
        }
        Perf perf = chunk.perf();
        Usage usage = (perf != null) ? new Usage(perf.prefillTokens(), perf.generateTokens(), perf)
                : new Usage(0, this.tokens, null);
        GatewayException error = (chunk.error() != null)
                ? new GatewayException(ErrorCode.of(chunk.error().code()), chunk.error().message()) : null;
        Done done = new Done(finishReason, usage, error);
        events.add(done);
        return events;
    }

    private String finishReason(StreamChunk chunk) {
        String reason = (this.endedEarly != null) ? this.endedEarly : chunk.finishReason();
        if ("stop".equals(reason) && this.parser.toolCalls() > 0) {
            return "tool_calls";
        }
        if ("stop".equals(reason) || "length".equals(reason) || "error".equals(reason)) {
            return reason;
        }
        return "aborted";
    }

}
