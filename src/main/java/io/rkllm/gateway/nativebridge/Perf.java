package io.rkllm.gateway.nativebridge;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** The runtime's {@code RKLLMPerfStat} of one run, as delivered with {@code RKLLM_RUN_FINISH}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Perf(double prefillTimeMs, int prefillTokens, double generateTimeMs, int generateTokens,
        double memoryUsageMb) {
}
