package io.rkllm.gateway.nativebridge.binding.v1_3;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import io.rkllm.gateway.nativebridge.binding.LLMResultCallback;

/**
 * {@code RKLLMCallback} (1.3.0 only, 48 bytes): what {@code rkllm_init} takes where 1.2.x took the bare result
 * callback. Must stay reachable, with the callbacks it holds, until {@code rkllm_destroy}.
 */
@FieldOrder({ "result_callback", "result_userdata", "tokenizer_callback", "tokenizer_userdata", "embed_callback",
        "embed_userdata" })
public class RKLLMCallback extends Structure {

    public LLMResultCallback result_callback;

    public Pointer result_userdata;

    public LLMTokenizerCallback tokenizer_callback;

    public Pointer tokenizer_userdata;

    public LLMGetEmbedCallback embed_callback;

    public Pointer embed_userdata;

}
