package io.rkllm.gateway.config;

import java.nio.file.Path;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code rkllm.chat.*} settings of the OpenAI- and Ollama-compatible APIs: the default model's chat template
 * (other models take theirs from their sidecar) and the bounds on a run's output.
 *
 * @param template the default model's Hugging Face chat template (the Jinja {@code chat_template} of its
 * {@code tokenizer_config.json}) unless its sidecar has one; null: the runtime's own template
 * @param templateFile the same read from a file (a {@code tokenizer_config.json} or a bare template); null: none
 * @param bosToken what the template's {@code bos_token} stands for
 * @param eosToken what the template's {@code eos_token} stands for
 * @param thinking whether the default model thinks ({@code <think>…</think>}) without a template that says so
 * @param defaultMaxTokens a run's output limit when the request names none
 * @param repetitionGuard ends a run that repeats itself
 * @param contextOverflow what becomes of a conversation longer than the model's context
 */
@ConfigurationProperties("rkllm.chat")
public record ChatProperties(@Nullable String template, @Nullable Path templateFile, @DefaultValue("") String bosToken,
        @DefaultValue("") String eosToken, @DefaultValue("false") boolean thinking,
        @DefaultValue("1024") int defaultMaxTokens, @DefaultValue RepetitionGuard repetitionGuard,
        @DefaultValue("error") ContextOverflow contextOverflow) {

    public ChatProperties {
        if (template != null && templateFile != null) {
            throw new IllegalArgumentException("set rkllm.chat.template or rkllm.chat.template-file, not both");
        }
        if (defaultMaxTokens < 1) {
            throw new IllegalArgumentException("rkllm.chat.default-max-tokens must be at least 1, got "
                    + defaultMaxTokens);
        }
    }

    /** What becomes of a conversation longer than the model's context. */
    public enum ContextOverflow {

        /** Refused: OpenAI's 400 {@code context_length_exceeded}, Ollama's 400. */
        ERROR,

        /** Run again without its oldest turns (after the system messages) until it fits or one question is left. */
        DROP_OLDEST

    }

    /**
     * A run whose latest output is one piece of text repeated ends with {@code finish_reason} {@code length}.
     *
     * @param repeats how many times in a row the piece must come (0 switches the guard off)
     * @param maxUnit the longest piece looked for, in characters
     * @param minLength the repeated stretch must be at least this long, in characters, so that short runs of the same
     * character (a rule of dashes, indentation) never count
     */
    public record RepetitionGuard(@DefaultValue("8") int repeats, @DefaultValue("200") int maxUnit,
            @DefaultValue("256") int minLength) {

        public RepetitionGuard {
            if (repeats < 0 || repeats == 1 || maxUnit < 1 || minLength < 0) {
                throw new IllegalArgumentException("rkllm.chat.repetition-guard needs repeats 0 (off) or at least 2, "
                        + "max-unit at least 1 and min-length at least 0");
            }
        }

    }

}
