package io.rkllm.gateway.nativebridge;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Bad model and run parameters are refused in Java, naming the field, before anything reaches native code. */
class ModelParamsValidationTest {

    /** Each case: the C field refused, the record component set, its bad value. */
    static Stream<Arguments> badModelParams() {
        return Stream.of(Arguments.of("max_context_len", "maxContextLen", 0),
                Arguments.of("max_context_len", "maxContextLen", ModelParams.MAX_CONTEXT + 1),
                Arguments.of("top_p", "topP", 7f), Arguments.of("top_p", "topP", Float.NaN),
                Arguments.of("enabled_cpus_mask", "enabledCpusMask", 0),
                Arguments.of("enabled_cpus_mask", "enabledCpusMask", 0x100),
                Arguments.of("enabled_cpus_num", "enabledCpusNum", 0),
                Arguments.of("enabled_cpus_num", "enabledCpusNum", 9), Arguments.of("n_batch", "nBatch", 0),
                Arguments.of("n_batch", "nBatch", 9), Arguments.of("temperature", "temperature", -0.5f),
                Arguments.of("mirostat", "mirostat", 3), Arguments.of("top_k", "topK", -1),
                Arguments.of("model_path", "modelPath", ""), Arguments.of("model_path", "modelPath", "   "),
                Arguments.of("model_path", "modelPath", "/nonexistent/model.rkllm"),
                Arguments.of("model_path", "modelPath", Simulator.model().getParent().toString()),
                Arguments.of("model_path", "modelPath", Simulator.model() + "\0.txt"));
    }

    @ParameterizedTest(name = "{0} = {2}")
    @MethodSource("badModelParams")
    void validateRefusesTheBadValueNamingItsField(String field, String component, Object value) {
        ModelParams params = with(valid(), component, value);

        InvalidParameterException refused = catchThrowableOfType(InvalidParameterException.class, params::validate);

        assertThat(refused).as("%s = %s is refused", field, value).isNotNull();
        assertThat(refused.field()).isEqualTo(field);
        assertThat(refused).hasMessageStartingWith(field + ": ");
    }

    @Test
    void validParamsAndUnsetFieldsPass() {
        assertThat(valid().validate()).isEqualTo(valid());
        ModelParams edges = with(with(with(with(valid(), "maxContextLen", 1), "enabledCpusNum", 8), "nBatch", 8),
                "topP", 1f);
        assertThat(edges.validate()).isSameAs(edges);
    }

    @Test
    void missingModelPathIsRefusedAsRequired() {
        assertThatThrownBy(() -> ModelParams.unset().validate())
                .isInstanceOf(InvalidParameterException.class)
                .hasMessage("model_path: is required");
    }

    @ParameterizedTest(name = "{0} = {2}")
    @MethodSource("badModelParams")
    void runtimeRefusesTheBadValueBeforeRkllmInit(String field, String component, Object value) {
        for (AbiGeneration abi : AbiGeneration.values()) {
            long allocationsBefore = Simulator.liveAllocations(abi);

            try (RkllmRuntime runtime = Simulator.open(abi, with(valid(), component, value))) {
                RuntimeStatus status = runtime.status();

                assertThat(status.state()).as("%s on %s", field, abi).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
                // Only the Java check words the reason like this; the runtime's refusal reads "rkllm_init failed".
                assertThat(status.reason()).as("%s on %s", field, abi)
                        .startsWith("invalid model parameter " + field + ": ");
                assertThat(runtime.activeParams()).isNull();
                assertThat(Simulator.liveAllocations(abi)).as("simulator allocations on %s", abi)
                        .isEqualTo(allocationsBefore);
            }
        }
    }

    @Test
    void ignoreEosTokenIsRefusedByRuntime12AndTakenBy13() {
        ModelParams params = with(valid(), "ignoreEosToken", true);
        long allocationsBefore = Simulator.liveAllocations(AbiGeneration.V1_2);

        try (RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_2, params)) {
            assertThat(runtime.status().state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
            assertThat(runtime.status().reason())
                    .isEqualTo("invalid model parameter ignore_eos_token: is not supported by runtime 1.2");
            assertThat(Simulator.liveAllocations(AbiGeneration.V1_2)).isEqualTo(allocationsBefore);
        }
        try (RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_3, params)) {
            assertThat(runtime.status().ready()).isTrue();
            assertThat(runtime.activeParams().ignoreEosToken()).isTrue();
        }
    }

    @Test
    void imageTagIsRefusedByRuntime13AndTakenBy12() {
        ModelParams params = with(valid(), "imgStart", "<|vision_start|>");
        long allocationsBefore = Simulator.liveAllocations(AbiGeneration.V1_3);

        try (RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_3, params)) {
            assertThat(runtime.status().state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
            assertThat(runtime.status().reason())
                    .isEqualTo("invalid model parameter img_start: is not supported by runtime 1.3");
            assertThat(Simulator.liveAllocations(AbiGeneration.V1_3)).isEqualTo(allocationsBefore);
        }
        try (RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_2, params)) {
            assertThat(runtime.status().ready()).isTrue();
        }
    }

    @Test
    void promptInputWithoutPromptIsRefused() {
        assertRefused("prompt_input", () -> request(InputKind.PROMPT, null, null, null, 0, "user", null, null));
    }

    @Test
    void tokenInputWithoutTokensIsRefused() {
        assertRefused("token_input", () -> request(InputKind.TOKEN, null, new int[0], null, 0, "user", null, null));
        assertRefused("token_input", () -> request(InputKind.TOKEN, null, null, null, 0, "user", null, null));
    }

    @Test
    void embedInputThatIsEmptyOrNoWholeNumberOfTokensIsRefused() {
        assertRefused("embed_input",
                () -> request(InputKind.EMBED, null, null, new float[10], 3, "user", null, null));
        assertRefused("embed_input",
                () -> request(InputKind.EMBED, null, null, new float[12], 0, "user", null, null));
        assertRefused("embed_input", () -> request(InputKind.EMBED, null, null, null, 3, "user", null, null));
        assertRefused("embed_input", () -> request(InputKind.EMBED, null, null, new float[0], 3, "user", null, null));
        assertThat(request(InputKind.EMBED, null, null, new float[12], 3, "user", null, null).embedTokens())
                .isEqualTo(3);
    }

    @Test
    void blankRoleIsRefused() {
        assertRefused("role", () -> request(InputKind.PROMPT, "hi", null, null, 0, " ", null, null));
    }

    @Test
    void zeroMaxNewTokensIsRefused() {
        assertRefused("max_new_tokens", () -> request(InputKind.PROMPT, "hi", null, null, 0, "user", 0, null));
    }

    @Test
    void perRunTopPOutOfRangeIsRefused() {
        Sampling sampling = new Sampling(null, 7f, null, null, null, null, null, null, null);

        assertRefused("top_p", () -> request(InputKind.PROMPT, "hi", null, null, 0, "user", null, sampling));
    }

    @Test
    void blankPromptCachePathIsRefused() {
        assertRefused("prompt_cache.path",
                () -> new RunRequest(InputKind.PROMPT, "hi", null, null, 0, "user", false, InferMode.GENERATE, false,
                        null, null, null, new RunRequest.PromptCacheSave(true, "")));
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void aValidParameterSetStillReachesTheRuntime(AbiGeneration abi) {
        long allocationsBefore = Simulator.liveAllocations(abi);
        try (RkllmRuntime runtime = Simulator.open(abi, valid())) {
            assertThat(runtime.status().ready()).isTrue();
            assertThat(Simulator.liveAllocations(abi)).isGreaterThan(allocationsBefore);
        }
        assertThat(Simulator.liveAllocations(abi)).isEqualTo(allocationsBefore);
    }

    private static void assertRefused(String field, Runnable build) {
        InvalidParameterException refused = catchThrowableOfType(InvalidParameterException.class, build::run);

        assertThat(refused).as("refused with InvalidParameterException").isNotNull();
        assertThat(refused.field()).isEqualTo(field);
    }

    private static RunRequest request(InputKind input, String prompt, int[] tokens, float[] embedding, int embedTokens,
            String role, Integer maxNewTokens, Sampling sampling) {
        return new RunRequest(input, prompt, tokens, embedding, embedTokens, role, false, InferMode.GENERATE, false,
                maxNewTokens, sampling, null, null);
    }

    /** Every field set to a value both the Java checks and the simulator accept. */
    private static ModelParams valid() {
        return new ModelParams(Simulator.model().toString(), 1024, 64, 40, -1, 0.9f, 0.8f, 1.1f, 0f, 0f, 0, 5f, 0.1f,
                true, null, null, null, null, 0, false, 4, 0xF0, 1, false);
    }

    /** A copy of {@code params} with one record component replaced. */
    private static ModelParams with(ModelParams params, String component, Object value) {
        RecordComponent[] components = ModelParams.class.getRecordComponents();
        assertThat(components).extracting(RecordComponent::getName).contains(component);
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                values[i] = components[i].getName().equals(component) ? value
                        : components[i].getAccessor().invoke(params);
            }
            return ModelParams.class.getDeclaredConstructor(types).newInstance(values);
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("cannot set " + component + " to " + value + " in "
                    + Arrays.toString(values), ex);
        }
    }

}
