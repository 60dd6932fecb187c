package io.rkllm.gateway.rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RuntimeUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static io.rkllm.gateway.rpc.ParamsTest.assertInvalid;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How {@link RuntimeMethods} reads its params: strings for C without NUL, floats within C's float. The runtime has no
 * library, so a call whose params pass ends as "runtime unavailable" without touching native code.
 */
class RuntimeMethodsTest {

    private static final List<JsonMapper> MAPPERS = List.of(JsonMapper.shared(),
            JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build());

    @TempDir
    private Path models;

    private RkllmRuntime runtime;

    private RuntimeMethods methods;

    @BeforeEach
    void runtimeWithoutLibrary() throws IOException {
        this.runtime = RkllmRuntime.open(this.models.resolve("no-such-librkllmrt.so"), "auto", ModelParams.unset(),
                CallbackObserver.NONE);
        this.methods = new RuntimeMethods(this.runtime, new ClientPaths(this.models, this.models.resolve("cache")),
                JsonMapper.shared());
        Files.writeString(this.models.resolve("m.rkllm"), "model");
    }

    @AfterEach
    void close() {
        this.runtime.close();
    }

    @Test
    void paramsThatPassReachTheRuntime() {
        assertThatExceptionOfType(RuntimeUnavailableException.class).isThrownBy(() -> call("rkllm_set_chat_template",
                "{\"system_prompt\":\"s\",\"prompt_prefix\":\"p\",\"prompt_postfix\":\"q\"}"));
    }

    @Test
    void nulInAStringForCIsInvalidParams() {
        assertInvalid("prompt_prefix: must not contain a NUL character", () -> call("rkllm_set_chat_template",
                "{\"system_prompt\":\"s\",\"prompt_prefix\":\"<|\\u0000|>\",\"prompt_postfix\":\"q\"}"));
        assertInvalid("system_prompt: must not contain a NUL character", () -> call("rkllm_set_function_tools",
                "{\"system_prompt\":\"\\u0000\",\"tools\":[],\"tool_response_str\":\"tool_response\"}"));
        assertInvalid("tool_response_str: must not contain a NUL character", () -> call("rkllm_set_function_tools",
                "{\"system_prompt\":\"s\",\"tools\":\"[]\",\"tool_response_str\":\"t\\u0000\"}"));
        assertInvalid("lora_adapter_name: must not contain a NUL character", () -> call("rkllm_load_lora",
                "{\"lora_adapter_path\":\"m.rkllm\",\"lora_adapter_name\":\"a\\u0000b\"}"));
        assertInvalid("lora_adapter_path: must not contain a NUL character", () -> call("rkllm_load_lora",
                "{\"lora_adapter_path\":\"m.rkllm\\u0000.txt\",\"lora_adapter_name\":\"a\"}"));
        assertInvalid("prompt_cache_path: must not contain a NUL character",
                () -> call("rkllm_load_prompt_cache", "{\"prompt_cache_path\":\"a\\u0000\"}"));
        assertInvalid("model_path: must not contain a NUL character",
                () -> call("rkllm_init", "{\"model_path\":\"m.rkllm\\u0000\"}"));
        assertInvalid("img_start: must not contain a NUL character",
                () -> call("rkllm_init", "{\"model_path\":\"m.rkllm\",\"img_start\":\"<img>\\u0000\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "3.5e38", "-1e39", "1e999" })
    void floatBeyondFloatRangeIsInvalidParamsNamingIt(String number) {
        for (JsonMapper mapper : MAPPERS) {
            assertInvalid("scale: must be a finite number", () -> call(mapper, "rkllm_load_lora",
                    "{\"lora_adapter_path\":\"m.rkllm\",\"lora_adapter_name\":\"a\",\"scale\":" + number + "}"));
            for (String field : List.of("temperature", "top_p", "mirostat_tau", "mirostat_eta")) {
                assertInvalid(field + ": must be a finite number", () -> call(mapper, "rkllm_init",
                        "{\"model_path\":\"m.rkllm\",\"" + field + "\":" + number + "}"));
            }
        }
    }

    private Object call(String method, String params) {
        return call(JsonMapper.shared(), method, params);
    }

    /** The method's handler on these params, checked against its declaration first as the dispatcher does. */
    private Object call(JsonMapper mapper, String method, String params) {
        RpcMethod found = this.methods.rpcMethods()
            .stream()
            .filter((candidate) -> candidate.name().equals(method))
            .findFirst()
            .orElseThrow();
        Params named = Params.of((ObjectNode) mapper.readTree(params)).only(found.params());
        return found.handler().handle(new RpcCall(method, named, null, new RpcContext("rpc", false))).block();
    }

}
