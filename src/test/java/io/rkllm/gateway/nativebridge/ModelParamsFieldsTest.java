package io.rkllm.gateway.nativebridge;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.jna.Structure;
import io.rkllm.gateway.nativebridge.binding.RKLLMExtendParam;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ModelParams#fields()}, the one table through which its fields are copied by name. */
class ModelParamsFieldsTest {

    @Test
    void everyFieldIsACFieldOfEitherGenerationsParamStruct() {
        List<String> cFields = new ArrayList<>();
        for (Class<? extends Structure> struct : List.of(
                io.rkllm.gateway.nativebridge.binding.v1_2.RKLLMParam.class,
                io.rkllm.gateway.nativebridge.binding.v1_3.RKLLMParam.class, RKLLMExtendParam.class)) {
            for (Field field : struct.getFields()) {
                cFields.add(field.getName());
            }
        }

        assertThat(ModelParams.fields()).extracting(ModelParams.Field::name)
            .hasSize(ModelParams.class.getRecordComponents().length)
            .startsWith("model_path", "max_context_len", "max_new_tokens")
            .contains("ignore_eos_token", "img_start", "enabled_cpus_mask", "use_cross_attn")
            .allSatisfy((name) -> assertThat(cFields).contains(name));
    }

    @Test
    void ofBuildsWhatForEachSetHandsBack() {
        ModelParams params = ModelParams.of((field) -> switch (field.name()) {
            case "model_path" -> "m.rkllm";
            case "max_context_len" -> 2048;
            case "top_p" -> 0.5f;
            case "embed_flash" -> true;
            default -> null;
        });
        Map<String, Object> set = new LinkedHashMap<>();

        params.forEachSet((field, value) -> set.put(field.name(), value));

        assertThat(params.modelPath()).isEqualTo("m.rkllm");
        assertThat(params.maxContextLen()).isEqualTo(2048);
        assertThat(params.topP()).isEqualTo(0.5f);
        assertThat(params.embedFlash()).isTrue();
        assertThat(set).containsExactly(Map.entry("model_path", "m.rkllm"), Map.entry("max_context_len", 2048),
                Map.entry("top_p", 0.5f), Map.entry("embed_flash", true));
    }

    @Test
    void withDefaultsKeepsSetFieldsAndFillsTheRest() {
        ModelParams defaults = ModelParams.of((field) -> switch (field.name()) {
            case "top_k" -> 40;
            case "max_context_len" -> 4096;
            default -> null;
        });

        ModelParams merged = ModelParams.forModel("m.rkllm").withDefaults(defaults);

        assertThat(merged.modelPath()).isEqualTo("m.rkllm");
        assertThat(merged.topK()).isEqualTo(40);
        assertThat(merged.maxContextLen()).isEqualTo(4096);
        assertThat(merged.topP()).isNull();
    }

}
