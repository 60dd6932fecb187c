package io.rkllm.gateway.nativebridge;

import java.nio.file.Path;
import java.util.List;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.rkllm.gateway.nativebridge.AbiAdapter.RunParts;
import io.rkllm.gateway.nativebridge.binding.LLMResultCallback;
import io.rkllm.gateway.nativebridge.binding.RkllmLibrary;
import io.rkllm.gateway.nativebridge.binding.v1_2.RKLLMInferParam;
import io.rkllm.gateway.nativebridge.binding.v1_2.RKLLMInput;
import io.rkllm.gateway.nativebridge.binding.v1_2.RKLLMParam;
import io.rkllm.gateway.nativebridge.binding.v1_2.RkllmLibraryV12;

/** Runtime 1.2.1–1.2.3: the callback goes to {@code rkllm_init} bare; no per-run sampling or token limit. */
final class AbiAdapterV12 implements AbiAdapter {

    private final RkllmLibraryV12 library;

    /** The init structs and callback, reachable for as long as the handle may use them. */
    private List<Object> retained = List.of();

    /** The structs of every run (see {@link AbiAdapter#run}). */
    private final RKLLMInput input = RunParts.writeOnly(new RKLLMInput());

    private final RKLLMInferParam infer = RunParts.writeOnly(new RKLLMInferParam());

    AbiAdapterV12(Path library) {
        this.library = Native.load(library.toString(), RkllmLibraryV12.class, LIBRARY_OPTIONS);
    }

    @Override
    public AbiGeneration generation() {
        return AbiGeneration.V1_2;
    }

    @Override
    public RkllmLibrary library() {
        return this.library;
    }

    @Override
    public ModelParams defaults() {
        return ParamStructMapper.read(this.library.rkllm_createDefaultParam());
    }

    @Override
    public Pointer init(ModelParams params, LLMResultCallback callback) {
        RKLLMParam param = new RKLLMParam();
        ParamStructMapper.write(params, param, generation());
        PointerByReference handle = new PointerByReference();
        this.retained = List.of(param, callback);
        RunParts.check("rkllm_init", this.library.rkllm_init(handle, param, callback));
        return handle.getValue();
    }

    @Override
    public void checkSupported(RunRequest request) {
        if (request.needsPerRunSampling()) {
            throw new InvalidParameterException((request.maxNewTokens() != null) ? "max_new_tokens" : "sampling",
                    "per-run values need runtime 1.3; runtime 1.2 takes them only at init (rkllm.model.*)");
        }
    }

    @Override
    public int run(Pointer handle, RunRequest request, ModelParams active, Pointer userdata) {
        RKLLMInput input = this.input;
        input.clear();
        input.role = NativeStrings.utf8(request.role());
        input.enable_thinking = (byte) (request.enableThinking() ? 1 : 0);
        input.input_type = request.input().code();
        switch (request.input()) {
            case PROMPT -> input.input.prompt_input = NativeStrings.utf8(request.prompt());
            case TOKEN -> RunParts.fillTokens(input.input.token_input, request.tokenIds());
            case EMBED -> RunParts.fillEmbedding(input.input.embed_input, request.embedding(), request.embedTokens());
        }
        input.input.setType(RunParts.unionMember(request.input()));
        RKLLMInferParam infer = this.infer;
        infer.clear();
        infer.mode = request.mode().code();
        infer.lora_params = RunParts.lora(request);
        infer.prompt_cache_params = RunParts.promptCache(request);
        infer.keep_history = request.keepHistory() ? 1 : 0;
        try {
            return this.library.rkllm_run(handle, input, infer, userdata);
        }
        finally {
            // This run's buffers (prompt, tokens, embedding, options) go with it, not when a later run replaces them.
            input.role = null;
            input.input.prompt_input = null;
            RunParts.release(input.input.token_input, input.input.embed_input);
            infer.lora_params = null;
            infer.prompt_cache_params = null;
        }
    }

}
