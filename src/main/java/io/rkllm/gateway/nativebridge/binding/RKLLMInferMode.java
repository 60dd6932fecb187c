package io.rkllm.gateway.nativebridge.binding;

/** Values of the C enum {@code RKLLMInferMode}. */
public final class RKLLMInferMode {

    /** Generate text. */
    public static final int RKLLM_INFER_GENERATE = 0;

    /** Return the last hidden layer instead of text. */
    public static final int RKLLM_INFER_GET_LAST_HIDDEN_LAYER = 1;

    /** Return the logits instead of text. */
    public static final int RKLLM_INFER_GET_LOGITS = 2;

    private RKLLMInferMode() {
    }

}
