package io.rkllm.gateway.chat;

import io.rkllm.gateway.config.ChatProperties.RepetitionGuard;

/**
 * Bounds a run's output where the runtime cannot: a token limit (on runtimes that take none per run) and a repetition
 * guard that ends a run whose latest output is one piece of text over and over (a model that loops and never emits its
 * end token). Not thread-safe: one per run, fed in order.
 */
final class RunawayGuard {

    private final int maxTokens;

    private final RepetitionGuard repetition;

    /** The latest output, as much as the longest repetition looked for needs. */
    private final StringBuilder tail = new StringBuilder();

    private final int tailCapacity;

    private int tokens;

    /**
     * @param maxTokens the run ends after this many tokens ({@link Integer#MAX_VALUE}: the runtime counts)
     */
    RunawayGuard(int maxTokens, RepetitionGuard repetition) {
        this.maxTokens = maxTokens;
        this.repetition = repetition;
        this.tailCapacity = Math.max(repetition.maxUnit() * repetition.repeats(), repetition.minLength());
    }

    /** Counts one token's text; true once the run should end with this token. */
    boolean exceeded(String delta) {
        this.tokens++;
        if (this.tokens >= this.maxTokens) {
            return true;
        }
        if (this.repetition.repeats() == 0) {
            return false;
        }
        this.tail.append(delta);
        if (this.tail.length() > this.tailCapacity) {
            this.tail.delete(0, this.tail.length() - this.tailCapacity);
        }
        return repeating();
    }

    /** Whether the tail is some piece of text, at most maxUnit long, repeated enough times and long enough. */
    private boolean repeating() {
        int length = this.tail.length();
        for (int unit = 1; unit <= this.repetition.maxUnit(); unit++) {
            int span = Math.max(unit * this.repetition.repeats(), this.repetition.minLength());
            if (span > length) {
                continue;
            }
            if (periodic(length - span, unit)) {
                return true;
            }
        }
        return false;
    }

    private boolean periodic(int from, int unit) {
        for (int i = this.tail.length() - 1; i >= from + unit; i--) {
            if (this.tail.charAt(i) != this.tail.charAt(i - unit)) {
                return false;
            }
        }
        return true;
    }

}
