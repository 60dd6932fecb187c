package io.rkllm.gateway.nativebridge.binding.v1_2;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.Union;
import io.rkllm.gateway.nativebridge.binding.RKLLMEmbedInput;
import io.rkllm.gateway.nativebridge.binding.RKLLMTokenInput;

/**
 * {@code RKLLMInput} of 1.2.1–1.2.3 (64 bytes). C's anonymous union is the field {@code input}; call
 * {@code input.setType(...)} with the member that {@code input_type} names before writing.
 */
@FieldOrder({ "role", "enable_thinking", "input_type", "input" })
public class RKLLMInput extends Structure {

    public Pointer role;

    public byte enable_thinking;

    public int input_type;

    public Payload input;

    /** The anonymous union of {@code RKLLMInput}. */
    public static class Payload extends Union {

        public Pointer prompt_input;

        public RKLLMEmbedInput embed_input;

        public RKLLMTokenInput token_input;

        public RKLLMMultiModalInput multimodal_input;

    }

}
