package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMPromptCacheParam}: whether and where one run saves its prompt cache. */
@FieldOrder({ "save_prompt_cache", "prompt_cache_path" })
public class RKLLMPromptCacheParam extends Structure {

    public int save_prompt_cache;

    public Pointer prompt_cache_path;

    /** The pointer form used inside {@code RKLLMInferParam}. */
    public static class ByReference extends RKLLMPromptCacheParam implements Structure.ByReference {

    }

}
