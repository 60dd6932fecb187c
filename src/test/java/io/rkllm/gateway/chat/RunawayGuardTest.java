package io.rkllm.gateway.chat;

import io.rkllm.gateway.config.ChatProperties.RepetitionGuard;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RunawayGuardTest {

    private static final RepetitionGuard DEFAULT = new RepetitionGuard(8, 200, 256);

    /** How many tokens the guard lets through before it ends the run; -1 when it never does. */
    private static int tokensUntilEnded(RunawayGuard guard, String token, int count) {
        for (int i = 1; i <= count; i++) {
            if (guard.exceeded(token)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void endsTheRunAtTheTokenLimit() {
        assertThat(tokensUntilEnded(new RunawayGuard(5, new RepetitionGuard(0, 1, 0)), "x", 100)).isEqualTo(5);
    }

    @Test
    void endsAModelThatLoopsOnASentence() {
        // 31 characters repeated: 8 repeats make 248, under the minimum length, so 9 are needed (279 characters).
        int ended = tokensUntilEnded(new RunawayGuard(Integer.MAX_VALUE, DEFAULT), "I will answer that right now. ",
                100);

        assertThat(ended).isEqualTo(9);
    }

    @Test
    void leavesOutputThatRepeatsOnlyShortStretchesAlone() {
        RunawayGuard guard = new RunawayGuard(Integer.MAX_VALUE, DEFAULT);
        StringBuilder varied = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            varied.append("| ---- | ---- |\nrow ").append(i).append(" of the table\n");
        }

        assertThat(tokensUntilEnded(guard, "-", 100)).as("a rule of dashes shorter than the minimum").isEqualTo(-1);
        for (String line : varied.toString().split("(?<=\n)")) {
            assertThat(guard.exceeded(line)).as(line).isFalse();
        }
    }

    @Test
    void switchedOffItOnlyCounts() {
        assertThat(tokensUntilEnded(new RunawayGuard(Integer.MAX_VALUE, new RepetitionGuard(0, 200, 256)), "loop ",
                10_000)).isEqualTo(-1);
    }

}
