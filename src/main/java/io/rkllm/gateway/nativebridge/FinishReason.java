package io.rkllm.gateway.nativebridge;

/** Why a run ended, as far as the runtime can tell. */
public enum FinishReason {

    /** FINISH arrived before the token limit. */
    STOP,

    /** FINISH arrived with as many tokens as the limit allowed. */
    LENGTH,

    /** The run was aborted, paused, or returned without FINISH. */
    ABORTED,

    /** The runtime reported {@code RKLLM_RUN_ERROR} or {@code rkllm_run} failed. */
    ERROR

}
