package io.rkllm.gateway.nativebridge;

import java.nio.file.Path;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;
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
final class AbiAdapterV13 extends AbiAdapter {

    private final RkllmLibraryV13 library;

    private final RKLLMInput input;

    private final RKLLMInferParam infer;

    /** The callbacks struct of the last init, reachable for as long as the handle may use it. */
    private @Nullable RKLLMCallback callbacks;

    AbiAdapterV13(Path library) {
        this(Native.load(library.toString(), RkllmLibraryV13.class, LIBRARY_OPTIONS));
    }

    /** On a library already loaded (or one that stands in for it in tests). */
    AbiAdapterV13(RkllmLibraryV13 library) {
        this(library, new RKLLMInput(), new RKLLMInferParam());
    }

    private AbiAdapterV13(RkllmLibraryV13 library, RKLLMInput input, RKLLMInferParam infer) {
        super(input, infer);
        this.library = library;
        this.input = input;
        this.infer = infer;
    }

    @Override
    AbiGeneration generation() {
        return AbiGeneration.V1_3;
    }

    @Override
    RkllmLibrary library() {
        return this.library;
    }

    @Override
    Structure defaultParam() {
        return this.library.rkllm_createDefaultParam();
    }

    @Override
    Structure newParam() {
        return new RKLLMParam();
    }

    @Override
    int callInit(PointerByReference handle, Structure param, LLMResultCallback callback) {
        RKLLMCallback callbacks = new RKLLMCallback();
        callbacks.result_callback = callback;
        this.callbacks = callbacks;
        return this.library.rkllm_init(handle, (RKLLMParam) param, callbacks);
    }

    @Override
    int callRun(Pointer handle, Pointer userdata) {
        return this.library.rkllm_run(handle, this.input, this.infer, userdata);
    }

    @Override
    void fillOwn(RunRequest request, ModelParams active) {
        this.infer.sampling_params = sampling(request, active);
        this.infer.max_new_tokens = (request.maxNewTokens() != null) ? request.maxNewTokens() : 0;
    }

    @Override
    void releaseOwn() {
        this.infer.sampling_params = null;
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
