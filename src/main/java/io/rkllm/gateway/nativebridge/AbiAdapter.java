package io.rkllm.gateway.nativebridge;

import java.nio.file.Path;
import java.util.Map;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import io.rkllm.gateway.nativebridge.binding.LLMResultCallback;
import io.rkllm.gateway.nativebridge.binding.RKLLMEmbedInput;
import io.rkllm.gateway.nativebridge.binding.RKLLMLoraParam;
import io.rkllm.gateway.nativebridge.binding.RKLLMPromptCacheParam;
import io.rkllm.gateway.nativebridge.binding.RKLLMTokenInput;
import io.rkllm.gateway.nativebridge.binding.RkllmLibrary;
import org.jspecify.annotations.Nullable;

/**
 * What differs between the ABI generations, behind one face: the defaults, {@code rkllm_init} and the structs of
 * {@code rkllm_run}. Everything else goes through {@link #library()}, whose functions both generations share.
 */
sealed interface AbiAdapter permits AbiAdapterV12, AbiAdapterV13 {

    /** JNA's own string arguments are UTF-8 whatever the platform charset. */
    Map<String, Object> LIBRARY_OPTIONS = Map.of(Library.OPTION_STRING_ENCODING, "UTF-8");

    static AbiAdapter load(Path library, AbiGeneration generation) {
        return switch (generation) {
            case V1_2 -> new AbiAdapterV12(library);
            case V1_3 -> new AbiAdapterV13(library);
        };
    }

    AbiGeneration generation();

    RkllmLibrary library();

    /** {@code rkllm_createDefaultParam()}, read into Java. */
    ModelParams defaults();

    /**
     * {@code rkllm_init} with {@code params} (already validated and merged with the defaults). The structs and the
     * callback passed are kept by the adapter until the next init, so they outlive the handle's use.
     *
     * @return the handle
     */
    Pointer init(ModelParams params, LLMResultCallback callback);

    /** Refuses what this generation's structs cannot carry, before the run is queued. */
    void checkSupported(RunRequest request);

    /**
     * Fills the run's structs and calls {@code rkllm_run}, blocking until it returns. Every buffer stays reachable
     * until then, and no longer: the run's buffers are let go when it returns. One run at a time: the adapter keeps one
     * input and one infer-param struct for every run (building them afresh, a union of three nested structs by
     * reflection in code that seldom runs hot, kept the NPU idle for 100-250 us between two runs), so only the
     * runtime's worker thread calls this. The runtime only reads them: they are not read back after the call.
     */
    int run(Pointer handle, RunRequest request, ModelParams active, Pointer userdata);

    /** The parts of a run's structs whose types both generations share. */
    final class RunParts {

        private RunParts() {
        }

        static RKLLMLoraParam.@Nullable ByReference lora(RunRequest request) {
            if (request.loraAdapterName() == null) {
                return null;
            }
            RKLLMLoraParam.ByReference lora = new RKLLMLoraParam.ByReference();
            lora.lora_adapter_name = NativeStrings.utf8(request.loraAdapterName());
            return lora;
        }

        static RKLLMPromptCacheParam.@Nullable ByReference promptCache(RunRequest request) {
            RunRequest.PromptCacheSave save = request.promptCache();
            if (save == null) {
                return null;
            }
            RKLLMPromptCacheParam.ByReference cache = new RKLLMPromptCacheParam.ByReference();
            cache.save_prompt_cache = save.save() ? 1 : 0;
            cache.prompt_cache_path = NativeStrings.utf8(save.path());
            return cache;
        }

        static void fillTokens(RKLLMTokenInput input, int[] ids) {
            Memory memory = new Memory(4L * ids.length);
            memory.write(0, ids, 0, ids.length);
            input.input_ids = memory;
            input.n_tokens = new NativeLong(ids.length);
        }

        static void fillEmbedding(RKLLMEmbedInput input, float[] values, int tokens) {
            Memory memory = new Memory(4L * values.length);
            memory.write(0, values, 0, values.length);
            input.embed = memory;
            input.n_tokens = new NativeLong(tokens);
        }

        /** Lets go of the buffers the union's token and embedding members point at, once their run is over. */
        static void release(RKLLMTokenInput tokens, RKLLMEmbedInput embedding) {
            tokens.input_ids = null;
            embedding.embed = null;
        }

        /** A struct that native code only reads: JNA need not read it back after each call. */
        static <T extends Structure> T writeOnly(T struct) {
            struct.setAutoRead(false);
            return struct;
        }

        /** Which member of the input union {@code kind} uses. */
        static String unionMember(InputKind kind) {
            return switch (kind) {
                case PROMPT -> "prompt_input";
                case TOKEN -> "token_input";
                case EMBED -> "embed_input";
            };
        }

        static int check(String function, int code) {
            if (code != 0) {
                throw new RkllmCallException(function, code);
            }
            return code;
        }

    }

}
