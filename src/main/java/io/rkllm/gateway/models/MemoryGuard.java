package io.rkllm.gateway.models;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.rkllm.gateway.nativebridge.RuntimeUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.unit.DataSize;

/**
 * Refuses a load that would not fit in the memory the board has available. The runtime maps a model's weights into
 * memory whole, so the file's size plus a margin (KV cache, working buffers) is what a load needs; a runtime that
 * runs out during {@code rkllm_init} may crash the process instead of failing (1.3.0), so it is better not to try.
 * Available memory is {@code MemAvailable} of {@code /proc/meminfo}; where that cannot be read, nothing is refused.
 */
final class MemoryGuard {

    private static final Logger logger = LoggerFactory.getLogger(MemoryGuard.class);

    private static final long KIB = 1024;

    private static final long MIB = 1024 * KIB;

    private final Path meminfo;

    private final DataSize margin;

    MemoryGuard(Path meminfo, DataSize margin) {
        this.meminfo = meminfo;
        this.margin = margin;
    }

    /** Fails with {@link RuntimeUnavailableException} saying what the model needs and what is available. */
    void check(ModelFile model) {
        Optional<Long> available = availableBytes();
        if (available.isEmpty()) {
            return;
        }
        long needed = model.sizeBytes() + this.margin.toBytes();
        if (available.get() < needed) {
            throw new RuntimeUnavailableException("not enough memory to load model " + model.id() + ": it needs about "
                    + size(needed) + " (its file, " + size(model.sizeBytes()) + ", plus rkllm.models.memory-margin, "
                    + size(this.margin.toBytes()) + ") but " + size(available.get()) + " are available ("
                    + this.meminfo + ")");
        }
    }

    /** {@code MemAvailable} in bytes; empty when the file cannot be read or lacks the line. */
    private Optional<Long> availableBytes() {
        try {
            for (String line : Files.readAllLines(this.meminfo, StandardCharsets.US_ASCII)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.substring("MemAvailable:".length()).trim().split("\\s+");
                    return Optional.of(Long.parseLong(parts[0]) * 1024);
                }
            }
            logger.warn("No MemAvailable line in {}; loads are not checked against memory", this.meminfo);
        }
        catch (IOException | RuntimeException ex) {
            logger.warn("Cannot read {} ({}); loads are not checked against memory", this.meminfo, ex.toString());
        }
        return Optional.empty();
    }

    /** In MiB, or KiB below 10 MiB, rounded up: what the operator compares with {@code free -m}. */
    private static String size(long bytes) {
        long unit = (bytes < 10 * MIB) ? KIB : MIB;
        return ((bytes + unit - 1) / unit) + ((unit == KIB) ? " KiB" : " MiB");
    }

}
