package io.rkllm.gateway.nativebridge.binding.v1_3;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/**
 * {@code int (*LLMTokenizerCallback)(void* userdata, const char* text, int32_t text_len, int32_t* tokens_out,
 * int32_t max_tokens)}: returns the token count, negative on error. Used only by models exported without a tokenizer.
 */
public interface LLMTokenizerCallback extends Callback {

    int invoke(Pointer userdata, Pointer text, int text_len, Pointer tokens_out, int max_tokens);

}
