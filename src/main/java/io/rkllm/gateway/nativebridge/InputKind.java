package io.rkllm.gateway.nativebridge;

import io.rkllm.gateway.nativebridge.binding.RKLLMInputType;

/** What a run's input holds; multimodal input is not offered. */
public enum InputKind {

    PROMPT(RKLLMInputType.RKLLM_INPUT_PROMPT), TOKEN(RKLLMInputType.RKLLM_INPUT_TOKEN),
    EMBED(RKLLMInputType.RKLLM_INPUT_EMBED);

    private final int code;

    InputKind(int code) {
        this.code = code;
    }

    /** The {@code RKLLMInputType} value. */
    public int code() {
        return this.code;
    }

}
