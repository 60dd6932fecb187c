package io.rkllm.gateway.nativebridge;

/** The runtime's {@code RKLLMPerfStat} of one run, as delivered with {@code RKLLM_RUN_FINISH}. */
public record Perf(double prefillTimeMs, int prefillTokens, double generateTimeMs, int generateTokens,
        double memoryUsageMb) {
}
