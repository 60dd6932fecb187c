package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMLoraParam}: the adapter one run uses. */
@FieldOrder({ "lora_adapter_name" })
public class RKLLMLoraParam extends Structure {

    public Pointer lora_adapter_name;

    /** The pointer form used inside {@code RKLLMInferParam}. */
    public static class ByReference extends RKLLMLoraParam implements Structure.ByReference {

    }

}
