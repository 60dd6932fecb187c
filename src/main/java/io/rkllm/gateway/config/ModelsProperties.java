package io.rkllm.gateway.config;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The {@code rkllm.models.*} settings: how many models of {@code rkllm.model-dir} are loaded at once, and for how long.
 *
 * @param maxResident models loaded at once at most (more than 1 only on runtime 1.2.2 and later); at the limit the
 * least recently used idle one is unloaded for the next
 * @param keepAlive how long a model stays loaded after its last run; negative: for ever, zero: unloaded when idle
 * @param memoryMargin what a load needs beyond its model file's size in available memory, else it is refused
 * @param meminfo where the available memory is read ({@code MemAvailable})
 * @param scanInterval how often the model directory is read again and idle models checked against their keep-alive
 */
@ConfigurationProperties("rkllm.models")
public record ModelsProperties(@DefaultValue("1") int maxResident, @DefaultValue("-1") Duration keepAlive,
        @DefaultValue("512MB") DataSize memoryMargin, @DefaultValue("/proc/meminfo") Path meminfo,
        @DefaultValue("5s") Duration scanInterval) {

    /** More domains than this would be a typo: a board has a few GB of NPU address space, 4 GB per domain. */
    private static final int MOST_RESIDENT = 8;

    public ModelsProperties {
        if (maxResident < 1 || maxResident > MOST_RESIDENT) {
            throw new IllegalArgumentException(
                    "rkllm.models.max-resident must be 1-" + MOST_RESIDENT + ", got " + maxResident);
        }
        if (memoryMargin.isNegative()) {
            throw new IllegalArgumentException("rkllm.models.memory-margin must not be negative, got " + memoryMargin);
        }
        if (scanInterval.isNegative() || scanInterval.isZero()) {
            throw new IllegalArgumentException("rkllm.models.scan-interval must be positive, got " + scanInterval);
        }
    }

}
