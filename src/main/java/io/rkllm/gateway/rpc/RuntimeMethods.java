package io.rkllm.gateway.rpc;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.binding.CpuMask;
import io.rkllm.gateway.nativebridge.binding.LLMCallState;
import io.rkllm.gateway.nativebridge.binding.RKLLMInferMode;
import io.rkllm.gateway.nativebridge.binding.RKLLMInputType;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The RKLLM functions that act on the model handle, mapped one to one. */
public class RuntimeMethods implements RpcMethodProvider {

    private static final Map<String, Boolean> OK = Map.of("ok", true);

    private static final List<ParamSpec> MODEL_PARAMS = modelParamSpecs();

    private final RkllmRuntime runtime;

    private final ClientPaths paths;

    private final ObjectMapper mapper;

    public RuntimeMethods(RkllmRuntime runtime, ClientPaths paths, ObjectMapper mapper) {
        this.runtime = runtime;
        this.paths = paths;
        this.mapper = mapper;
    }

    @Override
    public List<RpcMethod> rpcMethods() {
        return List.of(
                RpcMethod.of("rkllm_clear_kv_cache", "Clears the KV cache, or the ranges given (paused runs only).",
                        List.of(ParamSpec.required("keep_system_prompt", "boolean", "keep the system prompt"),
                                ParamSpec.arrayOf("start_pos", "integer", "per batch: first position to clear"),
                                ParamSpec.arrayOf("end_pos", "integer", "per batch: position after the last")),
                        (call) -> Mono.fromFuture(() -> this.runtime.clearKvCache(
                                call.params().bool("keep_system_prompt", false), call.params().ints("start_pos"),
                                call.params().ints("end_pos"))).thenReturn(Map.of("cleared", true))),
                RpcMethod.of("rkllm_get_kv_cache_size", "The KV cache length of each batch.", List.of(),
                        (call) -> Mono.fromFuture(this.runtime::kvCacheSizes).map((sizes) -> Map.of("sizes", sizes))),
                RpcMethod.of("rkllm_set_chat_template", "Overrides the model's chat template.",
                        List.of(ParamSpec.required("system_prompt", "string", "the system prompt"),
                                ParamSpec.required("prompt_prefix", "string", "text before each user prompt"),
                                ParamSpec.required("prompt_postfix", "string", "text after each user prompt")),
                        (call) -> ok(() -> this.runtime.setChatTemplate(call.params().requireCString("system_prompt"),
                                call.params().requireCString("prompt_prefix"),
                                call.params().requireCString("prompt_postfix")))),
                RpcMethod.of("rkllm_set_function_tools", "Enables function calling with OpenAI-style tool definitions.",
                        List.of(ParamSpec.required("system_prompt", "string", "the system prompt"),
                                ParamSpec.required("tools", "array", "the tools, as an array or a JSON string of one"),
                                ParamSpec.required("tool_response_str", "string",
                                        "the tag that wraps tool results, e.g. tool_response")),
                        (call) -> ok(() -> this.runtime.setFunctionTools(call.params().requireCString("system_prompt"),
                                toolsJson(call.params()), call.params().requireCString("tool_response_str")))),
                RpcMethod.of("rkllm_load_lora", "Loads a LoRA adapter (inside rkllm.model-dir) under a name.",
                        List.of(ParamSpec.required("lora_adapter_path", "string", "the adapter file"),
                                ParamSpec.required("lora_adapter_name", "string", "the name runs pick it by"),
                                ParamSpec.optional("scale", "number", "its weight (default 1.0)")),
                        (call) -> ok(() -> this.runtime.loadLora(this.paths.model("lora_adapter_path",
                                call.params().requireCString("lora_adapter_path")),
                                call.params().requireCString("lora_adapter_name"), scale(call.params())))),
                RpcMethod.of("rkllm_load_prompt_cache", "Loads a saved prompt cache (inside rkllm.cache-dir).",
                        List.of(ParamSpec.required("prompt_cache_path", "string", "the cache file")),
                        (call) -> ok(() -> this.runtime.loadPromptCache(this.paths.cache("prompt_cache_path",
                                call.params().requireCString("prompt_cache_path"))))),
                RpcMethod.of("rkllm_release_prompt_cache", "Drops the loaded prompt cache.", List.of(),
                        (call) -> ok(this.runtime::releasePromptCache)),
                RpcMethod.of("rkllm_createDefaultParam", "The library's default RKLLMParam.", List.of(),
                        (call) -> Mono.fromFuture(this.runtime::defaultParams)),
                new RpcMethod("rkllm_init", "Loads a model (inside rkllm.model-dir) with these RKLLMParam fields, "
                        + "unloading the current one; unset fields take the library's defaults.", MODEL_PARAMS,
                        RpcMethod.Gate.ADMIN, (call) -> ok(() -> this.runtime.init(modelParams(call.params())))),
                new RpcMethod("rkllm_destroy", "Unloads the model; runs are refused until rkllm_init.", List.of(),
                        RpcMethod.Gate.ADMIN, (call) -> ok(this.runtime::destroy)),
                RpcMethod.of("rkllm_get_constants", "The C enums and CPU masks by name.", List.of(),
                        (call) -> Mono.just(constants())));
    }

    private static Mono<Map<String, Boolean>> ok(Supplier<CompletableFuture<Void>> call) {
        return Mono.fromFuture(call).thenReturn(OK);
    }

    private static float scale(Params params) {
        Float scale = params.number("scale");
        if (scale != null && (scale < 0 || scale > 100)) {
            throw params.invalid("scale", "must be between 0 and 100, got " + scale);
        }
        return (scale != null) ? scale : 1.0f;
    }

    private String toolsJson(Params params) {
        JsonNode tools = params.raw("tools");
        if (tools != null && tools.isString()) {
            try {
                tools = this.mapper.readTree(tools.stringValue());
            }
            catch (JacksonException ex) {
                throw params.invalid("tools", "is not valid JSON");
            }
        }
        if (tools == null || !tools.isArray()) {
            throw params.invalid("tools", "must be an array of tool definitions");
        }
        return this.mapper.writeValueAsString(tools);
    }

    /** Reads every {@link ModelParams} field by its snake-case name, with the type the record gives it. */
    private ModelParams modelParams(Params params) {
        ModelParams model = ModelParams.of((field) -> {
            Class<?> type = field.type();
            if (type == Integer.class) {
                return params.integer(field.name(), Integer.MIN_VALUE, Integer.MAX_VALUE);
            }
            if (type == Float.class) {
                return params.number(field.name());
            }
            return (type == Boolean.class) ? params.bool(field.name()) : params.cString(field.name());
        });
        return model.withModelPath(this.paths.model("model_path", params.requireCString("model_path")));
    }

    private static List<ParamSpec> modelParamSpecs() {
        return ModelParams.fields().stream().map((field) -> {
            Class<?> type = field.type();
            String json = (type == Integer.class) ? "integer" : (type == Float.class) ? "number"
                    : (type == Boolean.class) ? "boolean" : "string";
            return new ParamSpec(field.name(), json, field.name().equals("model_path"), "RKLLMParam." + field.name());
        }).toList();
    }

    private static Map<String, Map<String, Integer>> constants() {
        Map<String, Map<String, Integer>> constants = new LinkedHashMap<>();
        for (Class<?> holder : List.of(LLMCallState.class, RKLLMInputType.class, RKLLMInferMode.class,
                CpuMask.class)) {
            Map<String, Integer> values = new LinkedHashMap<>();
            for (Field field : holder.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                    try {
                        values.put(field.getName(), field.getInt(null));
                    }
                    catch (IllegalAccessException ex) {
                        throw new IllegalStateException(ex);
                    }
                }
            }
            constants.put(holder.getSimpleName(), values);
        }
        return constants;
    }

}
