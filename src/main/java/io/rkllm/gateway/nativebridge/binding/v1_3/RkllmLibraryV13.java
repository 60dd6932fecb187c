package io.rkllm.gateway.nativebridge.binding.v1_3;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.rkllm.gateway.nativebridge.binding.RkllmLibrary;

/** {@code librkllmrt.so} 1.3.0: {@code rkllm_init} takes an {@link RKLLMCallback} struct. */
public interface RkllmLibraryV13 extends RkllmLibrary {

    RKLLMParam.ByValue rkllm_createDefaultParam();

    int rkllm_init(PointerByReference handle, RKLLMParam param, RKLLMCallback callbacks);

    int rkllm_run(Pointer handle, RKLLMInput rkllm_input, RKLLMInferParam rkllm_infer_params, Pointer userdata);

    /** Exported but broken in the field (no text, hangs); mirrored for completeness and never called. */
    int rkllm_run_async(Pointer handle, RKLLMInput rkllm_input, RKLLMInferParam rkllm_infer_params, Pointer userdata);

}
