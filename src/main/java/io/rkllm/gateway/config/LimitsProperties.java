package io.rkllm.gateway.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The {@code rkllm.limits.*} settings: how much one HTTP request may ask.
 *
 * @param maxBatch requests in one JSON-RPC batch at most
 * @param maxRequestBytes a larger request body is refused with HTTP 413
 */
@ConfigurationProperties("rkllm.limits")
public record LimitsProperties(@DefaultValue("32") int maxBatch, @DefaultValue("1MB") DataSize maxRequestBytes) {

    public LimitsProperties {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("rkllm.limits.max-batch must be at least 1, got " + maxBatch);
        }
        if (maxRequestBytes.toBytes() < 1024) {
            throw new IllegalArgumentException("rkllm.limits.max-request-bytes must be at least 1KB");
        }
    }

}
