package io.rkllm.gateway.nativebridge;

import io.rkllm.gateway.nativebridge.binding.RKLLMInferMode;

/** What a run produces. */
public enum InferMode {

    GENERATE(RKLLMInferMode.RKLLM_INFER_GENERATE),
    LAST_HIDDEN_LAYER(RKLLMInferMode.RKLLM_INFER_GET_LAST_HIDDEN_LAYER),
    LOGITS(RKLLMInferMode.RKLLM_INFER_GET_LOGITS);

    private final int code;

    InferMode(int code) {
        this.code = code;
    }

    /** The {@code RKLLMInferMode} value. */
    public int code() {
        return this.code;
    }

}
