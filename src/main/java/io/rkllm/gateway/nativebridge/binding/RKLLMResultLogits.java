package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMResultLogits}: {@code num_tokens} × {@code vocab_size} floats, valid during the callback only. */
@FieldOrder({ "logits", "vocab_size", "num_tokens" })
public class RKLLMResultLogits extends Structure {

    public Pointer logits;

    public int vocab_size;

    public int num_tokens;

}
