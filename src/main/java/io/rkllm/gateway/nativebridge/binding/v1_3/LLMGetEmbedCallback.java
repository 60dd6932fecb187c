package io.rkllm.gateway.nativebridge.binding.v1_3;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/**
 * {@code int (*LLMGetEmbedCallback)(void* userdata, int32_t* tokens, uint64_t n_tokens, void* embed_out,
 * uint64_t embed_bytes)}: fills n_tokens × dim float32 embeddings, 0 on success. Used only by models exported
 * without an embedding table.
 */
public interface LLMGetEmbedCallback extends Callback {

    int invoke(Pointer userdata, Pointer tokens, long n_tokens, Pointer embed_out, long embed_bytes);

}
