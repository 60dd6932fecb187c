package io.rkllm.gateway.nativebridge.binding;

/** Values of the C enum {@code LLMCallState} passed to the result callback (1.2.1 and later). */
public final class LLMCallState {

    /** A token was delivered. */
    public static final int RKLLM_RUN_NORMAL = 0;

    /** The decoded bytes so far end inside a UTF-8 character; more follow. */
    public static final int RKLLM_RUN_WAITING = 1;

    /** The run finished; the result carries the perf figures. */
    public static final int RKLLM_RUN_FINISH = 2;

    /** The run failed. */
    public static final int RKLLM_RUN_ERROR = 3;

    private LLMCallState() {
    }

}
