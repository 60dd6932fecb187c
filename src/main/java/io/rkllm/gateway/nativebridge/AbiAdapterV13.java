package io.rkllm.gateway.nativebridge;

import java.nio.file.Path;
import java.util.List;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.rkllm.gateway.nativebridge.AbiAdapter.RunParts;
import io.rkllm.gateway.nativebridge.binding.LLMResultCallback;
import io.rkllm.gateway.nativebridge.binding.RkllmLibrary;
import io.rkllm.gateway.nativebridge.binding.v1_3.RKLLMCallback;
import io.rkllm.gateway.nativebridge.binding.v1_3.RKLLMInferParam;
import io.rkllm.gateway.nativebridge.binding.v1_3.RKLLMInput;
import io.rkllm.gateway.nativebridge.binding.v1_3.RKLLMParam;
import io.rkllm.gateway.nativebridge.binding.v1_3.RKLLMSamplingParam;
import io.rkllm.gateway.nativebridge.binding.v1_3.RkllmLibraryV13;
import org.jspecify.annotations.Nullable;

/** Runtime 1.3.0: the callback goes to {@code rkllm_init} inside an {@link RKLLMCallback}; per-run sampling. */
final class AbiAdapterV13 implements AbiAdapter {

    private final RkllmLibraryV13 library;

    /** The init structs and callback, reachable for as long as the handle may use them. */
    private List<Object> retained = List.of();

    /** The structs of every run (see {@link AbiAdapter#run}). */
    private final RKLLMInput input = RunParts.writeOnly(new RKLLMInput());

    private final RKLLMInferParam infer = RunParts.writeOnly(new RKLLMInferParam());

    AbiAdapterV13(Path library) {
        this.library = Native.load(library.toString(), RkllmLibraryV13.class, LIBRARY_OPTIONS);
    }

    @Override
    public AbiGeneration generation() {
        return AbiGeneration.V1_3;
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
        RKLLMCallback callbacks = new RKLLMCallback();
        callbacks.result_callback = callback;
        PointerByReference handle = new PointerByReference();
        this.retained = List.of(param, callbacks, callback);
        RunParts.check("rkllm_init", this.library.rkllm_init(handle, param, callbacks));
        return handle.getValue();
    }

    @Override
    public void checkSupported(RunRequest request) {
        // 1.3.0 carries every field of RunRequest.
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
        infer.sampling_params = sampling(request, active);
        infer.keep_history = request.keepHistory() ? 1 : 0;
        infer.max_new_tokens = (request.maxNewTokens() != null) ? request.maxNewTokens() : 0;
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
            infer.sampling_params = null;
        }
    }

    /** A set field overrides the model's init-time value; the struct needs every field, so the rest come from it. */
    private static RKLLMSamplingParam.@Nullable ByReference sampling(RunRequest request, ModelParams active) {
        if (request.sampling() == null || request.sampling().isEmpty()) {
            return null;
        }
        var values = request.sampling().withDefaults(active.sampling());
        RKLLMSamplingParam.ByReference sampling = new RKLLMSamplingParam.ByReference();
        sampling.top_k = values.topK();
        sampling.top_p = values.topP();
        sampling.temperature = values.temperature();
        sampling.repeat_penalty = values.repeatPenalty();
        sampling.frequency_penalty = values.frequencyPenalty();
        sampling.presence_penalty = values.presencePenalty();
        sampling.mirostat = values.mirostat();
        sampling.mirostat_tau = values.mirostatTau();
        sampling.mirostat_eta = values.mirostatEta();
        return sampling;
    }

}
