package io.rkllm.gateway.nativebridge;

import org.jspecify.annotations.Nullable;

/**
 * The sampling fields of {@code RKLLMParam}, and of 1.3.0's per-run {@code RKLLMSamplingParam}; a null field keeps the
 * model's init-time value.
 */
public record Sampling(@Nullable Integer topK, @Nullable Float topP, @Nullable Float temperature,
        @Nullable Float repeatPenalty, @Nullable Float frequencyPenalty, @Nullable Float presencePenalty,
        @Nullable Integer mirostat, @Nullable Float mirostatTau, @Nullable Float mirostatEta) {

    private static final RecordFields<Sampling> TABLE = RecordFields.of(Sampling.class);

    /** Refuses values out of their meaningful range, naming the field. */
    public Sampling validate() {
        ParamChecks.inRange("top_k", this.topK, 0, 1_000_000);
        ParamChecks.inRange("top_p", this.topP, 0.0, 1.0);
        ParamChecks.inRange("temperature", this.temperature, 0.0, 100.0);
        ParamChecks.inRange("repeat_penalty", this.repeatPenalty, 0.0, 100.0);
        ParamChecks.inRange("frequency_penalty", this.frequencyPenalty, -100.0, 100.0);
        ParamChecks.inRange("presence_penalty", this.presencePenalty, -100.0, 100.0);
        ParamChecks.inRange("mirostat", this.mirostat, 0, 2);
        ParamChecks.inRange("mirostat_tau", this.mirostatTau, 0.0, 100.0);
        ParamChecks.inRange("mirostat_eta", this.mirostatEta, 0.0, 10.0);
        return this;
    }

    /** This one's fields where set, the others' fields elsewhere. */
    public Sampling withDefaults(Sampling defaults) {
        return TABLE.merge(this, defaults);
    }

    /** True when no field is set. */
    public boolean isEmpty() {
        return this.equals(new Sampling(null, null, null, null, null, null, null, null, null));
    }

}
