package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * The functions of {@code librkllmrt.so} whose signatures are the same in 1.2.1–1.2.3 and 1.3.0. All return 0 on
 * success and non-zero on failure, except {@link #rkllm_is_running}. {@code LLMHandle} is a {@link Pointer}.
 */
public interface RkllmLibrary extends Library {

    int rkllm_load_lora(Pointer handle, RKLLMLoraAdapter lora_adapter);

    int rkllm_load_prompt_cache(Pointer handle, String prompt_cache_path);

    int rkllm_release_prompt_cache(Pointer handle);

    int rkllm_destroy(Pointer handle);

    int rkllm_abort(Pointer handle);

    /** 1 while a run is in prefill or decode, 0 when idle (the 1.2.x header comment says the opposite; it is wrong). */
    int rkllm_is_running(Pointer handle);

    /** Both arrays null clears the whole cache; always the 4-argument form, which 1.2.0 callers may pass too. */
    int rkllm_clear_kv_cache(Pointer handle, int keep_system_prompt, int[] start_pos, int[] end_pos);

    /** Writes one length per batch (n_batch ints) into {@code cache_sizes}. */
    int rkllm_get_kv_cache_size(Pointer handle, int[] cache_sizes);

    int rkllm_set_chat_template(Pointer handle, String system_prompt, String prompt_prefix, String prompt_postfix);

    int rkllm_set_function_tools(Pointer handle, String system_prompt, String tools, String tool_response_str);

    int rkllm_set_cross_attn_params(Pointer handle, RKLLMCrossAttnParam cross_attn_params);

}
