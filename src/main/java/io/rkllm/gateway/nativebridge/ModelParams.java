package io.rkllm.gateway.nativebridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The fields of {@code RKLLMParam} (and its {@code extend_param}) in Java form. A null field means "the library's
 * default": {@link #withDefaults} fills them from {@code rkllm_createDefaultParam}. Every component maps to the C
 * field of the same name in snake case ({@code maxContextLen} → {@code max_context_len}); {@link #fields()} lists
 * them, and whatever copies these fields by name (into the C struct, out of a request) goes through that one table.
 *
 * @param modelPath the model file (.rkllm)
 * @param imgStart 1.2.x only: the image start tag of multimodal models
 * @param imgEnd 1.2.x only: the image end tag
 * @param imgContent 1.2.x only: the image content tag
 * @param ignoreEosToken 1.3.0 only
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelParams(@Nullable String modelPath, @Nullable Integer maxContextLen, @Nullable Integer maxNewTokens,
        @Nullable Integer topK, @Nullable Integer nKeep, @Nullable Float topP, @Nullable Float temperature,
        @Nullable Float repeatPenalty, @Nullable Float frequencyPenalty, @Nullable Float presencePenalty,
        @Nullable Integer mirostat, @Nullable Float mirostatTau, @Nullable Float mirostatEta,
        @Nullable Boolean skipSpecialToken, @Nullable Boolean ignoreEosToken, @Nullable String imgStart,
        @Nullable String imgEnd, @Nullable String imgContent, @Nullable Integer baseDomainId,
        @Nullable Boolean embedFlash, @Nullable Integer enabledCpusNum, @Nullable Integer enabledCpusMask,
        @Nullable Integer nBatch, @Nullable Boolean useCrossAttn) {

    /** Largest context any current RKLLM model is compiled for, with room to spare; beyond it is a typo. */
    public static final int MAX_CONTEXT = 131_072;

    private static final RecordFields<ModelParams> TABLE = RecordFields.of(ModelParams.class);

    private static final List<Field> FIELDS = TABLE.components()
        .stream()
        .map((component) -> new Field(cFieldName(component.getName()), component.getType()))
        .toList();

    /** Every field in declaration order. */
    public static List<Field> fields() {
        return FIELDS;
    }

    /** Params with the value {@code values} gives each field (null leaves it unset); a value has its field's type. */
    public static ModelParams of(Function<Field, @Nullable Object> values) {
        Object[] all = new Object[FIELDS.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = values.apply(FIELDS.get(i));
        }
        return TABLE.create(all);
    }

    /** Hands every set field to {@code action}, in declaration order. */
    public void forEachSet(BiConsumer<Field, Object> action) {
        for (int i = 0; i < FIELDS.size(); i++) {
            Object value = TABLE.get(this, i);
            if (value != null) {
                action.accept(FIELDS.get(i), value);
            }
        }
    }

    private static String cFieldName(String component) {
        StringBuilder snake = new StringBuilder(component.length() + 4);
        for (char c : component.toCharArray()) {
            if (Character.isUpperCase(c)) {
                snake.append('_').append(Character.toLowerCase(c));
            }
            else {
                snake.append(c);
            }
        }
        return snake.toString();
    }

    /** No field set: every value comes from the library's defaults. */
    public static ModelParams unset() {
        return new ModelParams(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null);
    }

    /** Only the model file set. */
    public static ModelParams forModel(String modelPath) {
        return unset().withModelPath(modelPath);
    }

    /** A copy with another model file. */
    public ModelParams withModelPath(String path) {
        return new ModelParams(path, this.maxContextLen, this.maxNewTokens, this.topK, this.nKeep, this.topP,
                this.temperature, this.repeatPenalty, this.frequencyPenalty, this.presencePenalty, this.mirostat,
                this.mirostatTau, this.mirostatEta, this.skipSpecialToken, this.ignoreEosToken, this.imgStart,
                this.imgEnd, this.imgContent, this.baseDomainId, this.embedFlash, this.enabledCpusNum,
                this.enabledCpusMask, this.nBatch, this.useCrossAttn);
    }

    /** A copy that allocates from NPU IOMMU domain {@code id} on. */
    public ModelParams withBaseDomainId(int id) {
        return of((field) -> "base_domain_id".equals(field.name()) ? id : null).withDefaults(this);
    }

    /** This one's fields where set, the defaults' fields elsewhere. */
    public ModelParams withDefaults(ModelParams defaults) {
        return TABLE.merge(this, defaults);
    }

    /**
     * Refuses what no runtime should be given, naming the field: a missing or unreadable model file, and numbers out
     * of their meaningful range. Unset fields pass (the library's default applies).
     */
    public ModelParams validate() {
        ParamChecks.notBlank("model_path", this.modelPath);
        Path model = NativeStrings.path("model_path", this.modelPath);
        if (!Files.isRegularFile(model) || !Files.isReadable(model)) {
            throw new InvalidParameterException("model_path", "no readable model file at " + model);
        }
        ParamChecks.inRange("max_context_len", this.maxContextLen, 1, MAX_CONTEXT);
        ParamChecks.inRange("max_new_tokens", this.maxNewTokens, -1, MAX_CONTEXT);
        ParamChecks.inRange("n_keep", this.nKeep, -1, MAX_CONTEXT);
        ParamChecks.inRange("base_domain_id", this.baseDomainId, 0, 255);
        ParamChecks.inRange("enabled_cpus_num", this.enabledCpusNum, 1, 8);
        ParamChecks.inRange("enabled_cpus_mask", this.enabledCpusMask, 1, 0xFF);
        ParamChecks.inRange("n_batch", this.nBatch, 1, 8);
        sampling().validate();
        return this;
    }

    /** The sampling fields, which 1.3.0 also takes per run. */
    public Sampling sampling() {
        return new Sampling(this.topK, this.topP, this.temperature, this.repeatPenalty, this.frequencyPenalty,
                this.presencePenalty, this.mirostat, this.mirostatTau, this.mirostatEta);
    }

    /**
     * One field: its C name, which is also its JSON name, and its Java type ({@link Integer}, {@link Float},
     * {@link Boolean} or {@link String}).
     */
    public record Field(String name, Class<?> type) {
    }

}
