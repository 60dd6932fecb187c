package io.rkllm.gateway.nativebridge;

import org.jspecify.annotations.Nullable;

/**
 * How one {@code rkllm_run} ended: once it has returned, whatever callbacks came.
 *
 * @param tokens the number of tokens the callback delivered
 * @param perf the runtime's figures, when FINISH carried them
 * @param error what went wrong, for {@link FinishReason#ERROR}
 */
public record RunResult(FinishReason finishReason, int tokens, @Nullable Perf perf, @Nullable String error) {
}
