package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMCrossAttnParam} (1.2.1 and later): encoder caches for cross-attention decoders. */
@FieldOrder({ "encoder_k_cache", "encoder_v_cache", "encoder_mask", "encoder_pos", "num_tokens" })
public class RKLLMCrossAttnParam extends Structure {

    public Pointer encoder_k_cache;

    public Pointer encoder_v_cache;

    public Pointer encoder_mask;

    public Pointer encoder_pos;

    public int num_tokens;

}
