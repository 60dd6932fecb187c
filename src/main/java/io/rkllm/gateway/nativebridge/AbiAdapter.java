package io.rkllm.gateway.nativebridge;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Union;
import com.sun.jna.ptr.PointerByReference;
import io.rkllm.gateway.nativebridge.binding.LLMResultCallback;
import io.rkllm.gateway.nativebridge.binding.RKLLMEmbedInput;
import io.rkllm.gateway.nativebridge.binding.RKLLMLoraParam;
import io.rkllm.gateway.nativebridge.binding.RKLLMPromptCacheParam;
import io.rkllm.gateway.nativebridge.binding.RKLLMTokenInput;
import io.rkllm.gateway.nativebridge.binding.RkllmLibrary;
import org.jspecify.annotations.Nullable;

/**
 * One ABI generation of the library behind one face: the defaults, {@code rkllm_init} and {@code rkllm_run}, whose
 * structs differ between generations. Everything else goes through {@link #library()}, whose functions both
 * generations share. The paths are written once here; a generation supplies its structs and calls, and fills what only
 * it has. The two generations name their shared struct fields alike, so this class fills those fields by name, as
 * {@link ParamStructMapper} does for {@code RKLLMParam}.
 */
abstract sealed class AbiAdapter permits AbiAdapterV12, AbiAdapterV13 {

    /** JNA's own string arguments are UTF-8 whatever the platform charset. */
    static final Map<String, Object> LIBRARY_OPTIONS = Map.of(Library.OPTION_STRING_ENCODING, "UTF-8");

    /** The {@code RKLLMInput} of every run (see {@link #run}). */
    private final Structure input;

    /** The {@code RKLLMInferParam} of every run. */
    private final Structure infer;

    private final RunFields fields;

    /** The init structs and callback, reachable for as long as the handle may use them. */
    private List<Object> retained = List.of();

    AbiAdapter(Structure input, Structure infer) {
        this.input = writeOnly(input);
        this.infer = writeOnly(infer);
        this.fields = RunFields.of(input, infer);
    }

    static AbiAdapter load(Path library, AbiGeneration generation) {
        return switch (generation) {
            case V1_2 -> new AbiAdapterV12(library);
            case V1_3 -> new AbiAdapterV13(library);
        };
    }

    abstract AbiGeneration generation();

    abstract RkllmLibrary library();

    /** {@code rkllm_createDefaultParam()}. */
    abstract Structure defaultParam();

    /** A new, empty {@code RKLLMParam} of this generation. */
    abstract Structure newParam();

    /** {@code rkllm_init}; whatever it builds around {@code callback} stays reachable until the next init. */
    abstract int callInit(PointerByReference handle, Structure param, LLMResultCallback callback);

    /** {@code rkllm_run} with this generation's input and infer-param structs. */
    abstract int callRun(Pointer handle, Pointer userdata);

    /** Fills what only this generation's infer-param struct carries; {@link #releaseOwn} lets go of it. */
    void fillOwn(RunRequest request, ModelParams active) {
    }

    void releaseOwn() {
    }

    /** Refuses what this generation's structs cannot carry, before the run is queued. */
    void checkSupported(RunRequest request) {
    }

    /** {@code rkllm_createDefaultParam()}, read into Java. */
    final ModelParams defaults() {
        return ParamStructMapper.read(defaultParam());
    }

    /**
     * The {@code RKLLMParam} for {@code params} (already validated and merged with the defaults), without calling
     * anything: a field this generation lacks is refused here, with {@link InvalidParameterException}.
     */
    final Structure param(ModelParams params) {
        Structure param = newParam();
        ParamStructMapper.write(params, param, generation());
        return param;
    }

    /**
     * {@code rkllm_init} with a struct from {@link #param}. The struct and the callback are kept until the next init,
     * so they outlive the handle's use. A 0 return without a handle fails too, with
     * {@link RuntimeUnavailableException}: the runtime does that when NPU memory runs out, and the next
     * {@code rkllm_run} on the NULL handle would crash the process.
     *
     * @return the handle, never null
     */
    final Pointer init(Structure param, LLMResultCallback callback) {
        PointerByReference handle = new PointerByReference();
        this.retained = List.of(param, callback);
        check("rkllm_init", callInit(handle, param, callback));
        Pointer live = handle.getValue();
        if (live == null) {
            throw new RuntimeUnavailableException("rkllm_init returned no model handle (NPU memory may be exhausted)");
        }
        return live;
    }

    /**
     * Fills the run's structs and calls {@code rkllm_run}, blocking until it returns. Every buffer stays reachable
     * until then, and no longer: the run's buffers are let go when it returns. One run at a time: the adapter keeps one
     * input and one infer-param struct for every run (building them afresh, a union of three nested structs by
     * reflection in code that seldom runs hot, kept the NPU idle between two runs), so only the runtime's worker thread
     * calls this. The runtime only reads them: they are not read back after the call.
     */
    final int run(Pointer handle, RunRequest request, ModelParams active, Pointer userdata) {
        RunFields fields = this.fields;
        this.input.clear();
        this.infer.clear();
        fields.role().set(NativeStrings.utf8(request.role()));
        fields.enableThinking().set((byte) (request.enableThinking() ? 1 : 0));
        fields.inputType().set(request.input().code());
        switch (request.input()) {
            case PROMPT -> fields.promptInput().set(NativeStrings.utf8(request.prompt()));
            case TOKEN -> fillTokens((RKLLMTokenInput) fields.tokenInput().get(), request.tokenIds());
            case EMBED -> fillEmbedding((RKLLMEmbedInput) fields.embedInput().get(), request.embedding(),
                    request.embedTokens());
        }
        fields.payload().setType(unionMember(request.input()));
        fields.mode().set(request.mode().code());
        fields.loraParams().set(lora(request));
        fields.promptCacheParams().set(promptCache(request));
        fields.keepHistory().set(request.keepHistory() ? 1 : 0);
        fillOwn(request, active);
        try {
            return callRun(handle, userdata);
        }
        finally {
            // This run's buffers (prompt, tokens, embedding, options) go with it, not when a later run replaces them.
            fields.role().set(null);
            fields.promptInput().set(null);
            ((RKLLMTokenInput) fields.tokenInput().get()).input_ids = null;
            ((RKLLMEmbedInput) fields.embedInput().get()).embed = null;
            fields.loraParams().set(null);
            fields.promptCacheParams().set(null);
            releaseOwn();
        }
    }

    /** Fails with {@link RkllmCallException} when a native function returned non-zero. */
    static int check(String function, int code) {
        if (code != 0) {
            throw new RkllmCallException(function, code);
        }
        return code;
    }

    private static RKLLMLoraParam.@Nullable ByReference lora(RunRequest request) {
        if (request.loraAdapterName() == null) {
            return null;
        }
        RKLLMLoraParam.ByReference lora = new RKLLMLoraParam.ByReference();
        lora.lora_adapter_name = NativeStrings.utf8(request.loraAdapterName());
        return lora;
    }

    private static RKLLMPromptCacheParam.@Nullable ByReference promptCache(RunRequest request) {
        RunRequest.PromptCacheSave save = request.promptCache();
        if (save == null) {
            return null;
        }
        RKLLMPromptCacheParam.ByReference cache = new RKLLMPromptCacheParam.ByReference();
        cache.save_prompt_cache = save.save() ? 1 : 0;
        cache.prompt_cache_path = NativeStrings.utf8(save.path());
        return cache;
    }

    private static void fillTokens(RKLLMTokenInput input, int[] ids) {
        Memory memory = new Memory(4L * ids.length);
        memory.write(0, ids, 0, ids.length);
        input.input_ids = memory;
        input.n_tokens = new NativeLong(ids.length);
    }

    private static void fillEmbedding(RKLLMEmbedInput input, float[] values, int tokens) {
        Memory memory = new Memory(4L * values.length);
        memory.write(0, values, 0, values.length);
        input.embed = memory;
        input.n_tokens = new NativeLong(tokens);
    }

    /** Which member of the input union {@code kind} uses. */
    private static String unionMember(InputKind kind) {
        return switch (kind) {
            case PROMPT -> "prompt_input";
            case TOKEN -> "token_input";
            case EMBED -> "embed_input";
        };
    }

    /** A struct that native code only reads: JNA need not read it back after each call. */
    private static <T extends Structure> T writeOnly(T struct) {
        struct.setAutoRead(false);
        return struct;
    }

    /** The fields both generations' run structs have, by the name they share, and the union they sit in. */
    private record RunFields(Union payload, StructField role, StructField enableThinking, StructField inputType,
            StructField promptInput, StructField tokenInput, StructField embedInput, StructField mode,
            StructField loraParams, StructField promptCacheParams, StructField keepHistory) {

        static RunFields of(Structure input, Structure infer) {
            Union payload = (Union) StructField.of(input, "input").get();
            return new RunFields(payload, StructField.of(input, "role"), StructField.of(input, "enable_thinking"),
                    StructField.of(input, "input_type"), StructField.of(payload, "prompt_input"),
                    StructField.of(payload, "token_input"), StructField.of(payload, "embed_input"),
                    StructField.of(infer, "mode"), StructField.of(infer, "lora_params"),
                    StructField.of(infer, "prompt_cache_params"), StructField.of(infer, "keep_history"));
        }

    }

}
