package io.rkllm.gateway.nativebridge.binding.v1_2;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMMultiModalInput} of 1.2.1–1.2.3 (named {@code RKLLMMultiModelInput} before 1.2.3, same layout). */
@FieldOrder({ "prompt", "image_embed", "n_image_tokens", "n_image", "image_width", "image_height" })
public class RKLLMMultiModalInput extends Structure {

    public Pointer prompt;

    public Pointer image_embed;

    public NativeLong n_image_tokens;

    public NativeLong n_image;

    public NativeLong image_width;

    public NativeLong image_height;

}
