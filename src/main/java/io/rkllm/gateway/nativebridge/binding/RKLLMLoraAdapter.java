package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMLoraAdapter}: one LoRA adapter file, loaded under a name. */
@FieldOrder({ "lora_adapter_path", "lora_adapter_name", "scale" })
public class RKLLMLoraAdapter extends Structure {

    public Pointer lora_adapter_path;

    public Pointer lora_adapter_name;

    public float scale;

}
