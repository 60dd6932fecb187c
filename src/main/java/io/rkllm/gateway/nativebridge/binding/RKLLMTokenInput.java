package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMTokenInput}: {@code n_tokens} {@code int32_t} token ids. */
@FieldOrder({ "input_ids", "n_tokens" })
public class RKLLMTokenInput extends Structure {

    public Pointer input_ids;

    public NativeLong n_tokens;

}
