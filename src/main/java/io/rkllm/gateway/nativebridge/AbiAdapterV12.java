package io.rkllm.gateway.nativebridge;

import java.nio.file.Path;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;
import io.rkllm.gateway.nativebridge.binding.LLMResultCallback;
import io.rkllm.gateway.nativebridge.binding.RkllmLibrary;
import io.rkllm.gateway.nativebridge.binding.v1_2.RKLLMInferParam;
import io.rkllm.gateway.nativebridge.binding.v1_2.RKLLMInput;
import io.rkllm.gateway.nativebridge.binding.v1_2.RKLLMParam;
import io.rkllm.gateway.nativebridge.binding.v1_2.RkllmLibraryV12;

/** Runtime 1.2.1–1.2.3: the callback goes to {@code rkllm_init} bare; no per-run sampling or token limit. */
final class AbiAdapterV12 extends AbiAdapter {

    private final RkllmLibraryV12 library;

    private final RKLLMInput input;

    private final RKLLMInferParam infer;

    AbiAdapterV12(Path library) {
        this(Native.load(library.toString(), RkllmLibraryV12.class, LIBRARY_OPTIONS), new RKLLMInput(),
                new RKLLMInferParam());
    }

    private AbiAdapterV12(RkllmLibraryV12 library, RKLLMInput input, RKLLMInferParam infer) {
        super(input, infer);
        this.library = library;
        this.input = input;
        this.infer = infer;
    }

    @Override
    AbiGeneration generation() {
        return AbiGeneration.V1_2;
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
        return this.library.rkllm_init(handle, (RKLLMParam) param, callback);
    }

    @Override
    int callRun(Pointer handle, Pointer userdata) {
        return this.library.rkllm_run(handle, this.input, this.infer, userdata);
    }

    @Override
    void checkSupported(RunRequest request) {
        if (request.needsPerRunSampling()) {
            throw new InvalidParameterException((request.maxNewTokens() != null) ? "max_new_tokens" : "sampling",
                    "per-run values need runtime 1.3; runtime 1.2 takes them only at init (rkllm.model.*)");
        }
    }

}
