package io.rkllm.gateway.nativebridge.binding.v1_3;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMMultiModalInput} of 1.3.0 (144 bytes): the prompt, then the unnamed {@code image} and {@code video}. */
@FieldOrder({ "prompt", "image", "video" })
public class RKLLMMultiModalInput extends Structure {

    public Pointer prompt;

    public Image image;

    public Video video;

    /** The unnamed {@code image} struct: embeddings and the model's image tags. */
    @FieldOrder({ "image_embed", "n_image_tokens", "n_image", "image_start", "image_end", "image_content",
            "image_width", "image_height" })
    public static class Image extends Structure {

        public Pointer image_embed;

        public NativeLong n_image_tokens;

        public NativeLong n_image;

        public Pointer image_start;

        public Pointer image_end;

        public Pointer image_content;

        public NativeLong image_width;

        public NativeLong image_height;

    }

    /** The unnamed {@code video} struct: frame embeddings and the model's video tags. */
    @FieldOrder({ "video_embed", "n_frame_tokens", "n_frame_per_video", "n_video", "video_start", "video_end",
            "video_content", "frame_width", "frame_height" })
    public static class Video extends Structure {

        public Pointer video_embed;

        public NativeLong n_frame_tokens;

        public NativeLong n_frame_per_video;

        public NativeLong n_video;

        public Pointer video_start;

        public Pointer video_end;

        public Pointer video_content;

        public NativeLong frame_width;

        public NativeLong frame_height;

    }

}
