package io.rkllm.gateway.cluster;

import java.time.Duration;

import io.rkllm.gateway.nativebridge.InferMode;
import io.rkllm.gateway.nativebridge.InputKind;
import io.rkllm.gateway.nativebridge.KvCachePlan;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.Sampling;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** A run travels to the board that claims it as JSON in its job, and arrives as the request that was accepted. */
class JobRequestTest {

    private final JsonMapper json = JsonMapper.shared();

    @Test
    void aPromptRunWithEveryOptionArrivesWhole() {
        RunRequest sent = new RunRequest(InputKind.PROMPT, "Hi", null, null, 0, "tool", true, InferMode.GENERATE,
                true, 64, new Sampling(5, 0.5f, 0.7f, null, null, null, null, null, null), "lora-a",
                new RunRequest.PromptCacheSave(true, "cache/a.bin"), "alpha", Duration.ofMinutes(5),
                new KvCachePlan("<held>", "next turn", "user", true, null));

        RunRequest received = this.json.readValue(this.json.writeValueAsString(sent), RunRequest.class);

        assertThat(received).usingRecursiveComparison().isEqualTo(sent);
    }

    @Test
    void tokenAndEmbeddingInputsArriveWhole() {
        RunRequest tokens = new RunRequest(InputKind.TOKEN, null, new int[] { 1, 2, 3 }, null, 0, "user", false,
                InferMode.LOGITS, false, null, null, null, null);
        RunRequest embedding = new RunRequest(InputKind.EMBED, null, null, new float[] { 0.5f, -1f }, 1, "user",
                false, InferMode.LAST_HIDDEN_LAYER, false, null, null, null, null);

        assertThat(this.json.readValue(this.json.writeValueAsString(tokens), RunRequest.class))
            .usingRecursiveComparison().isEqualTo(tokens);
        assertThat(this.json.readValue(this.json.writeValueAsString(embedding), RunRequest.class))
            .usingRecursiveComparison().isEqualTo(embedding);
    }

}
