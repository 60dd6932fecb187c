package io.rkllm.gateway.nativebridge;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * One inference request: the {@code RKLLMInput} and {@code RKLLMInferParam} of a run in Java form.
 *
 * @param prompt the UTF-8 prompt, for {@link InputKind#PROMPT}
 * @param tokenIds the token ids, for {@link InputKind#TOKEN}
 * @param embedding {@code embedTokens} × hidden-size floats, for {@link InputKind#EMBED}
 * @param role {@code user}, or {@code tool} for function results
 * @param maxNewTokens 1.3.0 only: this run's token limit
 * @param sampling 1.3.0 only: this run's sampling
 * @param loraAdapterName an adapter loaded before with {@code rkllm_load_lora}
 * @param promptCache where to save this run's prompt cache
 * @param model the id or alias of the model to run on; null for the default model ({@code rkllm.model.model-path})
 * @param keepAlive how long the model stays loaded once idle after this run (negative: for ever); null for the
 * configured {@code rkllm.models.keep-alive}
 * @param cachePlan how a run of a conversation continues what the KV cache holds (null: a run on its own)
 */
public record RunRequest(InputKind input, @Nullable String prompt, int @Nullable [] tokenIds,
        float @Nullable [] embedding, int embedTokens, String role, boolean enableThinking, InferMode mode,
        boolean keepHistory, @Nullable Integer maxNewTokens, @Nullable Sampling sampling,
        @Nullable String loraAdapterName, @Nullable PromptCacheSave promptCache, @Nullable String model,
        @Nullable Duration keepAlive, @Nullable KvCachePlan cachePlan) {

    /** Checks that the input its kind names is there and that numbers are in range, naming the field. */
    public RunRequest {
        switch (input) {
            case PROMPT -> {
                if (prompt == null) {
                    throw new InvalidParameterException("prompt_input", "is required for input_type 0 (prompt)");
                }
            }
            case TOKEN -> {
                if (tokenIds == null || tokenIds.length == 0) {
                    throw new InvalidParameterException("token_input", "needs at least one token id");
                }
            }
            case EMBED -> {
                if (embedding == null || embedding.length == 0 || embedTokens <= 0
                        || embedding.length % embedTokens != 0) {
                    throw new InvalidParameterException("embed_input",
                            "needs n_tokens > 0 and a positive multiple of n_tokens floats");
                }
            }
        }
        ParamChecks.notBlank("role", role);
        ParamChecks.inRange("max_new_tokens", maxNewTokens, 1, ModelParams.MAX_CONTEXT);
        if (sampling != null) {
            sampling.validate();
        }
        if (promptCache != null) {
            ParamChecks.notBlank("prompt_cache.path", promptCache.path());
        }
        if (model != null) {
            ParamChecks.notBlank("model", model);
        }
    }

    /** A run on its own for the default model, with the configured keep-alive and no KV-cache plan. */
    public RunRequest(InputKind input, @Nullable String prompt, int @Nullable [] tokenIds,
            float @Nullable [] embedding, int embedTokens, String role, boolean enableThinking, InferMode mode,
            boolean keepHistory, @Nullable Integer maxNewTokens, @Nullable Sampling sampling,
            @Nullable String loraAdapterName, @Nullable PromptCacheSave promptCache) {
        this(input, prompt, tokenIds, embedding, embedTokens, role, enableThinking, mode, keepHistory, maxNewTokens,
                sampling, loraAdapterName, promptCache, null, null, null);
    }

    /** A plain generation from a user prompt. */
    public static RunRequest prompt(String text) {
        return new RunRequest(InputKind.PROMPT, text, null, null, 0, "user", false, InferMode.GENERATE, false, null,
                null, null, null);
    }

    /** This request for the model with id or alias {@code name} (null: the default), kept loaded {@code keepAlive}. */
    public RunRequest forModel(@Nullable String name, @Nullable Duration keepAlive) {
        return new RunRequest(this.input, this.prompt, this.tokenIds, this.embedding, this.embedTokens, this.role,
                this.enableThinking, this.mode, this.keepHistory, this.maxNewTokens, this.sampling,
                this.loraAdapterName, this.promptCache, name, keepAlive, this.cachePlan);
    }

    /** The same run with another prompt and role (a conversation's new turn in place of the whole). */
    RunRequest withPrompt(String text, String newRole) {
        return new RunRequest(InputKind.PROMPT, text, null, null, 0, newRole, this.enableThinking, this.mode,
                this.keepHistory, this.maxNewTokens, this.sampling, this.loraAdapterName, this.promptCache,
                this.model, this.keepAlive, this.cachePlan);
    }

    /** The size of the input in bytes: the prompt's UTF-8, 4 per token id or embedding float. */
    public long inputBytes() {
        return switch (this.input) {
            case PROMPT -> (this.prompt != null) ? utf8Length(this.prompt) : 0;
            case TOKEN -> (this.tokenIds != null) ? 4L * this.tokenIds.length : 0;
            case EMBED -> (this.embedding != null) ? 4L * this.embedding.length : 0;
        };
    }

    /** UTF-8 bytes of a text, counted without encoding it; a lone surrogate counts as the 3 bytes of its U+FFFD. */
    private static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            }
            else if (c < 0x800) {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            }
            else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Whether this run asks for more than the 1.2.x {@code RKLLMInferParam} can carry. */
    boolean needsPerRunSampling() {
        return this.maxNewTokens != null || (this.sampling != null && !this.sampling.isEmpty());
    }

    /** Saving the prompt cache of a run to a file. */
    public record PromptCacheSave(boolean save, String path) {
    }

}
