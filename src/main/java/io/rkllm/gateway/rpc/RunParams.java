package io.rkllm.gateway.rpc;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import io.rkllm.gateway.nativebridge.InferMode;
import io.rkllm.gateway.nativebridge.InputKind;
import io.rkllm.gateway.nativebridge.InvalidParameterException;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.Sampling;
import org.jspecify.annotations.Nullable;

/**
 * Reads a run's input from a call's params: the fields flat, or nested as {@code input:{…}} and
 * {@code infer_params:{…}} as clients of the C server send them (C names like {@code sampling_params},
 * {@code lora_params} and {@code prompt_cache_params} included). The declarations below both check what a client
 * sends, nested objects included, and document it in {@code rpc.discover} and {@code rkllm_list_functions}.
 */
public final class RunParams {

    private static final List<ParamSpec> SAMPLING_FIELDS = List.of(
            ParamSpec.optional("top_k", "integer", "sample among the k likeliest tokens"),
            ParamSpec.optional("top_p", "number", "sample among the likeliest tokens whose probabilities add up to p"),
            ParamSpec.optional("temperature", "number", "higher is more random"),
            ParamSpec.optional("repeat_penalty", "number", "penalty on repeated tokens"),
            ParamSpec.optional("frequency_penalty", "number", "penalty by how often a token appeared"),
            ParamSpec.optional("presence_penalty", "number", "penalty on tokens that appeared at all"),
            ParamSpec.optional("mirostat", "integer", "0 off, 1 or 2: the Mirostat version"),
            ParamSpec.optional("mirostat_tau", "number", "Mirostat target entropy"),
            ParamSpec.optional("mirostat_eta", "number", "Mirostat learning rate"));

    private static final ParamSpec EMBED_INPUT = ParamSpec.object("embed_input", "embeddings, for input_type 2",
            List.of(new ParamSpec("embed", "array", true, "n_tokens × hidden-size floats", "number", List.of()),
                    ParamSpec.required("n_tokens", "integer", "how many tokens the floats stand for")));

    private static final ParamSpec SAMPLING = ParamSpec.object("sampling", "this run's sampling (runtime 1.3)",
            SAMPLING_FIELDS);

    private static final ParamSpec PROMPT_CACHE = ParamSpec.object("prompt_cache",
            "save this run's prompt cache (inside rkllm.cache-dir)",
            List.of(ParamSpec.optional("save", "boolean", "whether to save it (default true)"),
                    ParamSpec.required("path", "string", "the cache file")));

    private static final ParamSpec MULTIMODAL_INPUT = ParamSpec.object("multimodal_input", "not supported",
            List.of());

    private static final ParamSpec SAMPLING_PARAMS = ParamSpec.object("sampling_params", "as sampling",
            SAMPLING_FIELDS);

    private static final ParamSpec LORA_PARAMS = ParamSpec.object("lora_params", "as lora_adapter_name",
            List.of(ParamSpec.required("lora_adapter_name", "string", "an adapter loaded with rkllm_load_lora")));

    private static final ParamSpec PROMPT_CACHE_PARAMS = ParamSpec.object("prompt_cache_params", "as prompt_cache",
            List.of(ParamSpec.optional("save_prompt_cache", "boolean", "whether to save it (default true)"),
                    ParamSpec.required("prompt_cache_path", "string", "the cache file")));

    /** Taken only nested: the C server's names for what the top level takes as ours, and multimodal input. */
    private static final List<ParamSpec> NESTED_ONLY = List.of(MULTIMODAL_INPUT, SAMPLING_PARAMS, LORA_PARAMS,
            PROMPT_CACHE_PARAMS);

    private static final ParamSpec INPUT = ParamSpec.object("input", "the input fields nested, as RKLLMInput",
            List.of(ParamSpec.optional("input_type", "integer", "0 prompt (default), 1 tokens, 2 embeddings"),
                    ParamSpec.optional("prompt_input", "string", "the prompt, for input_type 0"),
                    ParamSpec.arrayOf("token_input", "integer", "token ids, for input_type 1"), EMBED_INPUT,
                    ParamSpec.optional("role", "string", "user (default), or tool for function results"),
                    ParamSpec.optional("enable_thinking", "boolean", "the model's thinking mode (Qwen3)"),
                    MULTIMODAL_INPUT));

    private static final ParamSpec INFER_PARAMS = ParamSpec.object("infer_params",
            "the inference fields nested, as RKLLMInferParam",
            List.of(ParamSpec.optional("mode", "integer", "0 generate (default), 1 last hidden layer, 2 logits"),
                    ParamSpec.optional("keep_history", "boolean", "keep the conversation in the KV cache"),
                    ParamSpec.optional("max_new_tokens", "integer", "this run's token limit (runtime 1.3)"), SAMPLING,
                    ParamSpec.optional("lora_adapter_name", "string", "an adapter loaded with rkllm_load_lora"),
                    PROMPT_CACHE, SAMPLING_PARAMS, LORA_PARAMS, PROMPT_CACHE_PARAMS));

    private static final ParamSpec MODEL = ParamSpec.optional("model", "string",
            "the model's id or alias (see models_status); default: the model of rkllm.model.model-path");

    /**
     * The parameters that carry a run's input, for the methods that take one: those of both nests, the nests, and the
     * model to run on.
     */
    public static final List<ParamSpec> SPECS = Stream
        .of(INPUT.fields(), INFER_PARAMS.fields(), List.of(INPUT, INFER_PARAMS, MODEL))
        .flatMap(List::stream)
        .filter((spec) -> !NESTED_ONLY.contains(spec))
        .toList();

    private final ClientPaths paths;

    public RunParams(ClientPaths paths) {
        this.paths = paths;
    }

    /** The run request these params describe; refused with -32602 (naming the field) or -32007 (paths). */
    public RunRequest read(Params params) {
        Params flat = Params.merge(Stream.of(params, params.object(INPUT), params.object(INFER_PARAMS))
            .filter(Objects::nonNull)
            .toList());
        if (flat.has(MULTIMODAL_INPUT.name()) || Integer.valueOf(3).equals(flat.integer("input_type", 0, 3))) {
            throw flat.invalid("input_type", "3 (multimodal) is not supported");
        }
        Params embed = flat.object(EMBED_INPUT);
        float[] embedding = (embed != null) ? embed.floats("embed") : null;
        int embedTokens = (embed != null) ? embed.integer("n_tokens", 1, Integer.MAX_VALUE, 0) : 0;
        return new RunRequest(inputKind(flat), flat.cString("prompt_input"), flat.ints("token_input"), embedding,
                embedTokens, requireRole(flat), flat.bool("enable_thinking", false),
                InferMode.values()[flat.integer("mode", 0, 2, 0)], flat.bool("keep_history", false),
                flat.integer("max_new_tokens", 1, Integer.MAX_VALUE), sampling(flat), loraName(flat),
                promptCache(flat), params.string(MODEL.name()), null, null);
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
        String role = flat.cString("role");
        if (role != null && role.isBlank()) {
            throw flat.invalid("role", "must not be blank");
        }
        return (role != null) ? role : "user";
    }

    private static @Nullable Sampling sampling(Params flat) {
        Params sampling = flat.object(cNamed(flat, SAMPLING.name(), SAMPLING_PARAMS) ? SAMPLING_PARAMS : SAMPLING);
        if (sampling == null) {
            return null;
        }
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
        Params lora = cNamed(flat, "lora_adapter_name", LORA_PARAMS) ? flat.object(LORA_PARAMS) : null;
        return (lora != null) ? lora.requireCString("lora_adapter_name") : flat.cString("lora_adapter_name");
    }

    private RunRequest.@Nullable PromptCacheSave promptCache(Params flat) {
        boolean cNamed = cNamed(flat, PROMPT_CACHE.name(), PROMPT_CACHE_PARAMS);
        Params cache = flat.object(cNamed ? PROMPT_CACHE_PARAMS : PROMPT_CACHE);
        if (cache == null) {
            return null;
        }
        String save = cNamed ? "save_prompt_cache" : "save";
        String path = cNamed ? "prompt_cache_path" : "path";
        return new RunRequest.PromptCacheSave(cache.bool(save, true),
                this.paths.cache(cache.nameOf(path), cache.requireCString(path)));
    }

    /** Whether the client sent the C server's nested form of our field {@code ours}; sending both is refused. */
    private static boolean cNamed(Params flat, String ours, ParamSpec cForm) {
        if (flat.has(ours) && flat.has(cForm.name())) {
            throw flat.invalid(cForm.name(), "is given twice (also as " + flat.nameOf(ours) + ")");
        }
        return flat.has(cForm.name());
    }

}
