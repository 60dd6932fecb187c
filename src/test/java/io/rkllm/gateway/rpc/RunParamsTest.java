package io.rkllm.gateway.rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.rkllm.gateway.nativebridge.InferMode;
import io.rkllm.gateway.nativebridge.InputKind;
import io.rkllm.gateway.nativebridge.InvalidParameterException;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.Sampling;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static io.rkllm.gateway.rpc.ParamsTest.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/** {@link RunParams}: each input type, the C server's nested forms, and what is refused naming the field. */
class RunParamsTest {

    private static final JsonMapper BIG_DECIMALS = JsonMapper.builder()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .build();

    @TempDir
    private Path temp;

    private Path cache;

    private RunParams runParams;

    @BeforeEach
    void folders() throws IOException {
        this.cache = Files.createDirectory(this.temp.resolve("cache"));
        this.runParams = new RunParams(new ClientPaths(Files.createDirectory(this.temp.resolve("models")), this.cache));
    }

    @Test
    void promptWithDefaults() {
        RunRequest request = read("{\"prompt_input\":\"Hi\"}");
        assertThat(request.input()).isEqualTo(InputKind.PROMPT);
        assertThat(request.prompt()).isEqualTo("Hi");
        assertThat(request.role()).isEqualTo("user");
        assertThat(request.mode()).isEqualTo(InferMode.GENERATE);
        assertThat(request.keepHistory()).isFalse();
        assertThat(request.enableThinking()).isFalse();
        assertThat(request.sampling()).isNull();
        assertThat(request.maxNewTokens()).isNull();
        assertThat(request.loraAdapterName()).isNull();
        assertThat(request.promptCache()).isNull();
    }

    @Test
    void promptWithEveryInferenceField() {
        RunRequest request = read("{\"prompt_input\":\"Hi\",\"role\":\"tool\",\"enable_thinking\":true,\"mode\":2,"
                + "\"keep_history\":1,\"max_new_tokens\":64,\"lora_adapter_name\":\"style\","
                + "\"sampling\":{\"top_k\":5,\"top_p\":0.9,\"temperature\":0.7,\"repeat_penalty\":1.1,"
                + "\"frequency_penalty\":-0.5,\"presence_penalty\":0.5,\"mirostat\":2,\"mirostat_tau\":5,"
                + "\"mirostat_eta\":0.1},\"prompt_cache\":{\"path\":\"c/run.bin\"}}");
        assertThat(request.role()).isEqualTo("tool");
        assertThat(request.enableThinking()).isTrue();
        assertThat(request.mode()).isEqualTo(InferMode.values()[2]);
        assertThat(request.keepHistory()).isTrue();
        assertThat(request.maxNewTokens()).isEqualTo(64);
        assertThat(request.loraAdapterName()).isEqualTo("style");
        assertThat(request.sampling()).isEqualTo(new Sampling(5, 0.9f, 0.7f, 1.1f, -0.5f, 0.5f, 2, 5f, 0.1f));
        assertThat(request.promptCache())
            .isEqualTo(new RunRequest.PromptCacheSave(true, this.cache.resolve("c/run.bin").toString()));
    }

    @Test
    void tokensByTypeOrByPresence() {
        assertThat(read("{\"token_input\":[1,2,3]}").tokenIds()).containsExactly(1, 2, 3);
        assertThat(read("{\"token_input\":[7]}").input()).isEqualTo(InputKind.TOKEN);
        assertThat(read("{\"input_type\":1,\"token_input\":[7]}").input()).isEqualTo(InputKind.TOKEN);
        assertInvalid("token_input[1]: must be a 32-bit integer", () -> read("{\"token_input\":[1,2.5]}"));
        assertInvalid("token_input[0]: must be a 32-bit integer", () -> read("{\"token_input\":[4294967296]}"));
    }

    @Test
    void embeddingsWithTheirTokenCount() {
        RunRequest request = read("{\"embed_input\":{\"embed\":[0.5,-1,2,3],\"n_tokens\":2}}");
        assertThat(request.input()).isEqualTo(InputKind.EMBED);
        assertThat(request.embedding()).containsExactly(0.5f, -1f, 2f, 3f);
        assertThat(request.embedTokens()).isEqualTo(2);
        assertInvalid("embed_input.n_tokens: is required", () -> read("{\"embed_input\":{\"embed\":[1]}}"));
        assertInvalid("embed_input.extra: is not a parameter",
                () -> read("{\"embed_input\":{\"embed\":[1],\"n_tokens\":1,\"extra\":1}}"));
        assertInvalid("embed_input.n_tokens: must be between 1",
                () -> read("{\"embed_input\":{\"embed\":[1],\"n_tokens\":0}}"));
    }

    @Test
    void multimodalIsRefused() {
        assertInvalid("input_type: 3 (multimodal) is not supported", () -> read("{\"input_type\":3}"));
        assertInvalid("input_type: 3 (multimodal) is not supported",
                () -> read("{\"input\":{\"multimodal_input\":{}}}"));
        assertInvalid("input_type: must be between 0 and 3", () -> read("{\"input_type\":4}"));
    }

    @Test
    void theCServersNestedForms() {
        RunRequest request = read("{\"input\":{\"input_type\":0,\"prompt_input\":\"Hi\",\"role\":\"user\"},"
                + "\"infer_params\":{\"mode\":0,\"keep_history\":true,\"max_new_tokens\":8,"
                + "\"sampling_params\":{\"temperature\":0.2},\"lora_params\":{\"lora_adapter_name\":\"a\"},"
                + "\"prompt_cache_params\":{\"save_prompt_cache\":false,\"prompt_cache_path\":\"p.bin\"}}}");
        assertThat(request.prompt()).isEqualTo("Hi");
        assertThat(request.keepHistory()).isTrue();
        assertThat(request.maxNewTokens()).isEqualTo(8);
        assertThat(request.sampling().temperature()).isEqualTo(0.2f);
        assertThat(request.loraAdapterName()).isEqualTo("a");
        assertThat(request.promptCache())
            .isEqualTo(new RunRequest.PromptCacheSave(false, this.cache.resolve("p.bin").toString()));
        assertThat(read("{\"prompt_input\":\"Hi\",\"infer_params\":{\"sampling\":{\"top_k\":3}}}").sampling().topK())
            .isEqualTo(3);
    }

    @Test
    void nestedFieldsAreNamedWhereTheClientWroteThem() {
        assertInvalid("input.prompt_input: must be a string", () -> read("{\"input\":{\"prompt_input\":5}}"));
        assertInvalid("infer_params.sampling_params.top_p: must be between 0.0 and 1.0",
                () -> read("{\"prompt_input\":\"x\",\"infer_params\":{\"sampling_params\":{\"top_p\":2}}}"));
        assertPathNotAllowed("infer_params.prompt_cache.path",
                "{\"prompt_input\":\"x\",\"infer_params\":{\"prompt_cache\":{\"path\":\"../x.bin\"}}}");
        assertPathNotAllowed("infer_params.prompt_cache_params.prompt_cache_path",
                "{\"prompt_input\":\"x\",\"infer_params\":{\"prompt_cache_params\":"
                        + "{\"prompt_cache_path\":\"/etc/x.bin\"}}}");
    }

    @Test
    void unknownNestedFieldsAreRefused() {
        assertInvalid("input.mode: is not a parameter", () -> read("{\"prompt_input\":\"x\",\"input\":{\"mode\":1}}"));
        assertInvalid("infer_params.prompt_input: is not a parameter",
                () -> read("{\"infer_params\":{\"prompt_input\":\"x\"}}"));
        assertInvalid("sampling.top_q: is not a parameter",
                () -> read("{\"prompt_input\":\"x\",\"sampling\":{\"top_q\":1}}"));
        assertInvalid("infer_params.lora_params.scale: is not a parameter", () -> read("{\"prompt_input\":\"x\","
                + "\"infer_params\":{\"lora_params\":{\"lora_adapter_name\":\"a\",\"scale\":1}}}"));
    }

    @Test
    void aFieldGivenTwiceIsRefused() {
        assertInvalid("input.prompt_input: is given twice (also as prompt_input)",
                () -> read("{\"prompt_input\":\"a\",\"input\":{\"prompt_input\":\"b\"}}"));
        assertInvalid("infer_params.sampling_params: is given twice (also as sampling)",
                () -> read("{\"prompt_input\":\"a\",\"sampling\":{},\"infer_params\":{\"sampling_params\":{}}}"));
        assertInvalid("infer_params.lora_params: is given twice (also as lora_adapter_name)",
                () -> read("{\"prompt_input\":\"a\",\"lora_adapter_name\":\"x\","
                        + "\"infer_params\":{\"lora_params\":{\"lora_adapter_name\":\"y\"}}}"));
        assertInvalid("infer_params.prompt_cache_params: is given twice (also as prompt_cache)",
                () -> read("{\"prompt_input\":\"a\",\"prompt_cache\":{\"path\":\"a\"},"
                        + "\"infer_params\":{\"prompt_cache_params\":{\"prompt_cache_path\":\"b\"}}}"));
    }

    /** Per-run sampling and max_new_tokens reach the request, for the 1.2 adapter to refuse rather than drop. */
    @Test
    void fieldsSomeRuntimesCannotCarryAreKept() {
        RunRequest request = read("{\"prompt_input\":\"x\",\"max_new_tokens\":4,\"sampling\":{\"mirostat\":1}}");
        assertThat(request.maxNewTokens()).isEqualTo(4);
        assertThat(request.sampling()).isEqualTo(new Sampling(null, null, null, null, null, null, 1, null, null));
        assertThat(request.sampling().isEmpty()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "3.5e38", "1e39", "1e999", "-1e999" })
    void floatBeyondFloatRangeIsInvalidParamsNamingIt(String number) {
        for (JsonMapper mapper : List.of(JsonMapper.shared(), BIG_DECIMALS)) {
            for (String field : List.of("temperature", "top_p", "mirostat_tau", "presence_penalty")) {
                assertInvalid("sampling." + field + ": must be a finite number", () -> read(mapper,
                        "{\"prompt_input\":\"x\",\"sampling\":{\"" + field + "\":" + number + "}}"));
            }
            assertInvalid("embed_input.embed[1]: must be a finite number",
                    () -> read(mapper, "{\"embed_input\":{\"embed\":[0.5," + number + "],\"n_tokens\":1}}"));
        }
    }

    @Test
    void floatsWithinRangeReadTheSameWhateverTheParser() {
        String json = "{\"prompt_input\":\"x\",\"sampling\":{\"temperature\":0.7,\"top_p\":1e-3}}";
        assertThat(read(BIG_DECIMALS, json).sampling()).isEqualTo(read(json).sampling());
    }

    @ParameterizedTest
    @ValueSource(strings = { "prompt_input", "role", "lora_adapter_name" })
    void nulInAStringForCIsRefused(String field) {
        String others = field.equals("prompt_input") ? "" : ",\"prompt_input\":\"x\"";
        assertInvalid(field + ": must not contain a NUL character",
                () -> read("{\"" + field + "\":\"a\\u0000b\"" + others + "}"));
        assertInvalid("input.prompt_input: must not contain a NUL character",
                () -> read("{\"input\":{\"prompt_input\":\"\\u0000\"}}"));
        assertInvalid("infer_params.lora_params.lora_adapter_name: must not contain a NUL character", () -> read(
                "{\"prompt_input\":\"x\",\"infer_params\":{\"lora_params\":{\"lora_adapter_name\":\"a\\u0000\"}}}"));
        assertInvalid("prompt_cache.path: must not contain a NUL character",
                () -> read("{\"prompt_input\":\"x\",\"prompt_cache\":{\"path\":\"a.bin\\u0000.txt\"}}"));
    }

    @Test
    void promptCacheThroughALinkOutIsRefused() throws IOException {
        Files.createSymbolicLink(this.cache.resolve("d"), Files.createDirectory(this.temp.resolve("elsewhere")));
        assertPathNotAllowed("prompt_cache.path", "{\"prompt_input\":\"x\",\"prompt_cache\":{\"path\":\"d/x.bin\"}}");
    }

    private void assertPathNotAllowed(String field, String json) {
        assertThatExceptionOfType(GatewayException.class).isThrownBy(() -> read(json))
            .satisfies((ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.PATH_NOT_ALLOWED))
            .withMessage(field + ": path not allowed; it must be inside rkllm.cache-dir");
    }

    /**
     * The declarations are what the reader reads: every declared field, at every depth, takes a value of its declared
     * type and refuses one of another type, naming itself.
     */
    @Test
    void everyDeclaredFieldIsReadWithItsDeclaredType() {
        List<List<ParamSpec>> fields = new ArrayList<>();
        collect(List.of(), RunParams.SPECS, fields);
        assertThat(fields).hasSizeGreaterThan(30);
        for (List<ParamSpec> path : fields) {
            ParamSpec field = path.get(path.size() - 1);
            if (field.description().equals("not supported")) {
                continue;
            }
            String name = String.join(".", path.stream().map(ParamSpec::name).toList());
            Throwable accepted = catchThrowable(() -> this.runParams.read(params(path, sample(field))));
            assertThat(accepted).as(name).satisfiesAnyOf((ex) -> assertThat(ex).isNull(),
                    (ex) -> assertThat(ex).isInstanceOf(InvalidParameterException.class),
                    (ex) -> assertThat(ex.getMessage()).doesNotStartWith(name + ": must be a")
                        .doesNotStartWith(name + "[0]: must be a"));
            assertInvalid(name + ": must be a", () -> this.runParams.read(params(path, wrongType(field))));
            if (field.items() != null) {
                assertInvalid(name + "[0]: must be a", () -> this.runParams.read(
                        params(path, JsonNodeFactory.instance.arrayNode().add(wrongType(field.items())))));
            }
        }
    }

    private static void collect(List<ParamSpec> parent, List<ParamSpec> specs, List<List<ParamSpec>> into) {
        for (ParamSpec spec : specs) {
            List<ParamSpec> path = new ArrayList<>(parent);
            path.add(spec);
            into.add(path);
            collect(path, spec.fields(), into);
        }
    }

    /** {@code value} at {@code path}, beside the required fields and a prompt, unless the path is a prompt. */
    private static Params params(List<ParamSpec> path, JsonNode value) {
        ObjectNode top = JsonNodeFactory.instance.objectNode();
        if (!path.get(path.size() - 1).name().equals("prompt_input")) {
            top.put("prompt_input", "x");
        }
        ObjectNode at = top;
        for (ParamSpec step : path.subList(0, path.size() - 1)) {
            at = at.putObject(step.name());
            for (ParamSpec field : step.fields()) {
                if (field.required()) {
                    at.set(field.name(), sample(field));
                }
            }
        }
        at.set(path.get(path.size() - 1).name(), value);
        return Params.of(top);
    }

    private static JsonNode sample(ParamSpec field) {
        JsonNode value = JsonMapper.shared().valueToTree(Map.of("integer", 1, "number", 0.5, "boolean", true,
                "string", "a", "object", Map.of()).get(field.type()));
        if (field.items() != null) {
            return JsonNodeFactory.instance.arrayNode().add(sample(ParamSpec.optional("item", field.items(), "")));
        }
        return value;
    }

    private static JsonNode wrongType(ParamSpec field) {
        return wrongType(field.type());
    }

    private static JsonNode wrongType(String type) {
        return type.equals("string") ? JsonNodeFactory.instance.numberNode(5)
                : JsonNodeFactory.instance.stringNode("5");
    }

    private RunRequest read(String json) {
        return read(JsonMapper.shared(), json);
    }

    private RunRequest read(JsonMapper mapper, String json) {
        return this.runParams.read(Params.of((ObjectNode) mapper.readTree(json)));
    }

}
