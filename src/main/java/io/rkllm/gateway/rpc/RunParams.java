package io.rkllm.gateway.rpc;

import java.util.List;
import java.util.stream.Stream;

import io.rkllm.gateway.nativebridge.InferMode;
import io.rkllm.gateway.nativebridge.InputKind;
import io.rkllm.gateway.nativebridge.InvalidParameterException;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.Sampling;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a run's input from a call's params: the fields flat, or nested as {@code input:{…}} and
 * {@code infer_params:{…}} as clients of the C server send them (C names like {@code sampling_params},
 * {@code lora_params} and {@code prompt_cache_params} included).
 */
public final class RunParams {

    /** The parameters that carry a run's input, for the methods that take one. */
    public static final List<ParamSpec> SPECS = List.of(
            ParamSpec.optional("input_type", "integer", "0 prompt (default), 1 tokens, 2 embeddings"),
            ParamSpec.optional("prompt_input", "string", "the prompt, for input_type 0"),
            ParamSpec.optional("token_input", "array", "token ids, for input_type 1"),
            ParamSpec.optional("embed_input", "object", "{embed:[float], n_tokens}, for input_type 2"),
            ParamSpec.optional("role", "string", "user (default), or tool for function results"),
            ParamSpec.optional("enable_thinking", "boolean", "the model's thinking mode (Qwen3)"),
            ParamSpec.optional("mode", "integer", "0 generate (default), 1 last hidden layer, 2 logits"),
            ParamSpec.optional("keep_history", "boolean", "keep the conversation in the KV cache"),
            ParamSpec.optional("max_new_tokens", "integer", "this run's token limit (runtime 1.3)"),
            ParamSpec.optional("sampling", "object",
                    "top_k, top_p, temperature, repeat_penalty, frequency_penalty, presence_penalty, mirostat, "
                            + "mirostat_tau, mirostat_eta for this run (runtime 1.3)"),
            ParamSpec.optional("lora_adapter_name", "string", "an adapter loaded with rkllm_load_lora"),
            ParamSpec.optional("prompt_cache", "object", "{save, path}: save this run's prompt cache to path"),
            ParamSpec.optional("input", "object", "the input fields nested, as RKLLMInput"),
            ParamSpec.optional("infer_params", "object", "the inference fields nested, as RKLLMInferParam"));

    private static final List<ParamSpec> INPUT_FIELDS = List.of(spec("input_type"), spec("prompt_input"),
            spec("token_input"), spec("embed_input"), spec("role"), spec("enable_thinking"),
            ParamSpec.optional("multimodal_input", "object", "not supported"));

    private static final List<ParamSpec> INFER_FIELDS = List.of(spec("mode"), spec("keep_history"),
            spec("max_new_tokens"), spec("sampling"), spec("lora_adapter_name"), spec("prompt_cache"),
            ParamSpec.optional("sampling_params", "object", "as sampling"),
            ParamSpec.optional("lora_params", "object", "{lora_adapter_name}"),
            ParamSpec.optional("prompt_cache_params", "object", "{save_prompt_cache, prompt_cache_path}"));

    private static final List<ParamSpec> SAMPLING_FIELDS = Stream
        .of("top_k", "top_p", "temperature", "repeat_penalty", "frequency_penalty", "presence_penalty", "mirostat",
                "mirostat_tau", "mirostat_eta")
        .map((name) -> ParamSpec.optional(name, "number", name))
        .toList();

    private final ClientPaths paths;

    public RunParams(ClientPaths paths) {
        this.paths = paths;
    }

    private static ParamSpec spec(String name) {
        return SPECS.stream().filter((spec) -> spec.name().equals(name)).findFirst().orElseThrow();
    }

    /** The run request these params describe; refused with -32602 (naming the field) or -32007 (paths). */
    public RunRequest read(Params params) {
        Params flat = flatten(params);
        if (flat.has("multimodal_input") || Integer.valueOf(3).equals(flat.integer("input_type", 0, 3))) {
            throw flat.invalid("input_type", "3 (multimodal) is not supported");
        }
        InputKind kind = inputKind(flat);
        Params embed = flat.object("embed_input");
        float[] embedding = (embed != null) ? embed.only(List.of(ParamSpec.required("embed", "array", ""),
                ParamSpec.required("n_tokens", "integer", ""))).floats("embed") : null;
        int embedTokens = (embed != null) ? embed.integer("n_tokens", 1, Integer.MAX_VALUE, 0) : 0;
        return new RunRequest(kind, flat.string("prompt_input"), flat.ints("token_input"), embedding, embedTokens,
                requireRole(flat), flat.bool("enable_thinking", false),
                InferMode.values()[flat.integer("mode", 0, 2, 0)], flat.bool("keep_history", false),
                flat.integer("max_new_tokens", 1, Integer.MAX_VALUE), sampling(flat), loraName(flat),
                promptCache(flat));
    }

    private static InputKind inputKind(Params flat) {
        Integer type = flat.integer("input_type", 0, 3);
        if (type != null) {
            return InputKind.values()[type];
        }
        if (flat.has("token_input")) {
            return InputKind.TOKEN;
        }
        return flat.has("embed_input") ? InputKind.EMBED : InputKind.PROMPT;
    }

    private static String requireRole(Params flat) {
        String role = flat.string("role");
        if (role != null && role.isBlank()) {
            throw flat.invalid("role", "must not be blank");
        }
        return (role != null) ? role : "user";
    }

    private static @Nullable Sampling sampling(Params flat) {
        Params sampling = flat.object(flat.has("sampling_params") ? "sampling_params" : "sampling");
        if (sampling == null) {
            return null;
        }
        sampling.only(SAMPLING_FIELDS);
        Sampling values = new Sampling(sampling.integer("top_k", 0, Integer.MAX_VALUE), sampling.number("top_p"),
                sampling.number("temperature"), sampling.number("repeat_penalty"),
                sampling.number("frequency_penalty"), sampling.number("presence_penalty"),
                sampling.integer("mirostat", 0, Integer.MAX_VALUE), sampling.number("mirostat_tau"),
                sampling.number("mirostat_eta"));
        try {
            return values.validate();
        }
        catch (InvalidParameterException ex) {
            // The range check names the bare field; the client sent it inside the sampling object.
            throw sampling.invalid(ex.field(), ex.problem());
        }
    }

    private static @Nullable String loraName(Params flat) {
        Params lora = flat.object("lora_params");
        if (lora != null) {
            return lora.only(List.of(ParamSpec.required("lora_adapter_name", "string", "")))
                .requireString("lora_adapter_name");
        }
        return flat.string("lora_adapter_name");
    }

    private RunRequest.@Nullable PromptCacheSave promptCache(Params flat) {
        Params cache = flat.object("prompt_cache_params");
        if (cache != null) {
            cache.only(List.of(ParamSpec.optional("save_prompt_cache", "boolean", ""),
                    ParamSpec.required("prompt_cache_path", "string", "")));
            return new RunRequest.PromptCacheSave(cache.bool("save_prompt_cache", true),
                    this.paths.cache("prompt_cache_params.prompt_cache_path", cache.requireString("prompt_cache_path")));
        }
        cache = flat.object("prompt_cache");
        if (cache == null) {
            return null;
        }
        cache.only(List.of(ParamSpec.optional("save", "boolean", ""), ParamSpec.required("path", "string", "")));
        return new RunRequest.PromptCacheSave(cache.bool("save", true),
                this.paths.cache("prompt_cache.path", cache.requireString("path")));
    }

    /** One object with the top-level, {@code input} and {@code infer_params} fields; a field given twice is refused. */
    private static Params flatten(Params params) {
        ObjectNode flat = JsonNodeFactory.instance.objectNode();
        copy(params, flat, null, SPECS);
        Params input = params.object("input");
        if (input != null) {
            copy(input.only(INPUT_FIELDS), flat, "input", INPUT_FIELDS);
        }
        Params infer = params.object("infer_params");
        if (infer != null) {
            copy(infer.only(INFER_FIELDS), flat, "infer_params", INFER_FIELDS);
        }
        return Params.of(flat);
    }

    private static void copy(Params from, ObjectNode into, @Nullable String nest, List<ParamSpec> fields) {
        for (ParamSpec field : fields) {
            JsonNode value = from.raw(field.name());
            if (value == null || field.name().equals("input") || field.name().equals("infer_params")) {
                continue;
            }
            if (into.has(field.name())) {
                throw from.invalid(field.name(), "is given twice (also outside " + nest + ")");
            }
            into.set(field.name(), value);
        }
    }

}
