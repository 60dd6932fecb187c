package io.rkllm.gateway.nativebridge.binding.v1_3;

import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import io.rkllm.gateway.nativebridge.binding.RKLLMLoraParam;
import io.rkllm.gateway.nativebridge.binding.RKLLMPromptCacheParam;

/**
 * {@code RKLLMInferParam} of 1.3.0 (40 bytes): {@code sampling_params} sits where 1.2.x had {@code keep_history}, so
 * a 1.2.x-shaped struct hands this runtime a bogus pointer.
 */
@FieldOrder({ "mode", "lora_params", "prompt_cache_params", "sampling_params", "keep_history", "max_new_tokens" })
public class RKLLMInferParam extends Structure {

    public int mode;

    public RKLLMLoraParam.ByReference lora_params;

    public RKLLMPromptCacheParam.ByReference prompt_cache_params;

    public RKLLMSamplingParam.ByReference sampling_params;

    public int keep_history;

    /** 0 or less keeps the init-time value. */
    public int max_new_tokens;

}
