package io.rkllm.gateway.nativebridge.binding;

/** Values of the C enum {@code RKLLMInputType}. */
public final class RKLLMInputType {

    /** {@code prompt_input} holds a UTF-8 prompt. */
    public static final int RKLLM_INPUT_PROMPT = 0;

    /** {@code token_input} holds token ids. */
    public static final int RKLLM_INPUT_TOKEN = 1;

    /** {@code embed_input} holds embeddings. */
    public static final int RKLLM_INPUT_EMBED = 2;

    /** {@code multimodal_input} holds a prompt with image or video embeddings. */
    public static final int RKLLM_INPUT_MULTIMODAL = 3;

    private RKLLMInputType() {
    }

}
