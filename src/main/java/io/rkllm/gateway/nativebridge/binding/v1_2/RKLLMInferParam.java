package io.rkllm.gateway.nativebridge.binding.v1_2;

import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import io.rkllm.gateway.nativebridge.binding.RKLLMLoraParam;
import io.rkllm.gateway.nativebridge.binding.RKLLMPromptCacheParam;

/** {@code RKLLMInferParam} of 1.2.1–1.2.3 (32 bytes): no per-run sampling, {@code keep_history} at offset 24. */
@FieldOrder({ "mode", "lora_params", "prompt_cache_params", "keep_history" })
public class RKLLMInferParam extends Structure {

    public int mode;

    public RKLLMLoraParam.ByReference lora_params;

    public RKLLMPromptCacheParam.ByReference prompt_cache_params;

    public int keep_history;

}
