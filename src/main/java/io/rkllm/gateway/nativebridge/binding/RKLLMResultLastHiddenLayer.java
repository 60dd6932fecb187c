package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMResultLastHiddenLayer}: {@code num_tokens} × {@code embd_size} floats, valid during the callback only. */
@FieldOrder({ "hidden_states", "embd_size", "num_tokens" })
public class RKLLMResultLastHiddenLayer extends Structure {

    public Pointer hidden_states;

    public int embd_size;

    public int num_tokens;

}
