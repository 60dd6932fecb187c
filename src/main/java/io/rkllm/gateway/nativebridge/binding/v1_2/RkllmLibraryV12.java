package io.rkllm.gateway.nativebridge.binding.v1_2;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.rkllm.gateway.nativebridge.binding.LLMResultCallback;
import io.rkllm.gateway.nativebridge.binding.RkllmLibrary;

/** {@code librkllmrt.so} 1.2.1–1.2.3: {@code rkllm_init} takes the result callback itself. */
public interface RkllmLibraryV12 extends RkllmLibrary {

    RKLLMParam.ByValue rkllm_createDefaultParam();

    int rkllm_init(PointerByReference handle, RKLLMParam param, LLMResultCallback callback);

    int rkllm_run(Pointer handle, RKLLMInput rkllm_input, RKLLMInferParam rkllm_infer_params, Pointer userdata);

    /** Exported but broken in the field (no text, hangs); mirrored for completeness and never called. */
    int rkllm_run_async(Pointer handle, RKLLMInput rkllm_input, RKLLMInferParam rkllm_infer_params, Pointer userdata);

}
