package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMEmbedInput}: {@code n_tokens} × hidden-size floats; {@code size_t} is a {@link NativeLong} on Linux. */
@FieldOrder({ "embed", "n_tokens" })
public class RKLLMEmbedInput extends Structure {

    public Pointer embed;

    public NativeLong n_tokens;

}
