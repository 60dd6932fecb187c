package io.rkllm.gateway.chat;

import io.rkllm.gateway.nativebridge.Perf;
import io.rkllm.gateway.rpc.GatewayException;
import org.jspecify.annotations.Nullable;

/** What a chat run says, in the order it says it: the API adapters turn these into their own wire format. */
public sealed interface ChatEvent {

    /** The request waits for the NPU, at this 1-based place in the queue. */
    record Queued(int position) implements ChatEvent {
    }

    /** A piece of the answer. */
    record Text(String delta) implements ChatEvent {
    }

    /** A piece of the model's reasoning ({@code <think>…</think>}). */
    record Reasoning(String delta) implements ChatEvent {
    }

    /** A complete tool call; {@code index} counts the calls of this answer from 0. */
    record ToolCalled(int index, ToolCall call) implements ChatEvent {
    }

    /**
     * The end: {@code stop}, {@code length}, {@code tool_calls}, {@code aborted} or {@code error}.
     *
     * @param error what failed, when the run failed
     */
    record Done(String finishReason, Usage usage, @Nullable GatewayException error) implements ChatEvent {

        /**
         * Why the run gave no answer: its error, or its abort (by an operator, the evictor or a shutdown); null when
         * it answered.
         */
        public @Nullable GatewayException failure() {
            if (this.error != null) {
                return this.error;
            }
            return "aborted".equals(this.finishReason)
                    ? GatewayException.runtimeUnavailable("the run was aborted before its end") : null;
        }

    }

    /**
     * Token counts and times of a run.
     *
     * @param perf the runtime's figures, when it gave them (not after an abort)
     */
    record Usage(int promptTokens, int completionTokens, @Nullable Perf perf) {

        public int totalTokens() {
            return this.promptTokens + this.completionTokens;
        }

    }

}
