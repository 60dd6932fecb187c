package io.rkllm.gateway.nativebridge.binding;

/** The {@code CPU0}..{@code CPU7} macros for {@code RKLLMExtendParam.enabled_cpus_mask}. */
public final class CpuMask {

    public static final int CPU0 = 1;

    public static final int CPU1 = 1 << 1;

    public static final int CPU2 = 1 << 2;

    public static final int CPU3 = 1 << 3;

    public static final int CPU4 = 1 << 4;

    public static final int CPU5 = 1 << 5;

    public static final int CPU6 = 1 << 6;

    public static final int CPU7 = 1 << 7;

    private CpuMask() {
    }

}
