package io.rkllm.gateway.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code rkllm.queue.*} settings: the NPU runs one inference at a time, the others wait here in order.
 *
 * @param capacity runs waiting at most; past it a new run is refused at once (-32000)
 * @param maxWait a run still waiting after this long fails (-32000) instead of waiting on
 */
@ConfigurationProperties("rkllm.queue")
public record QueueProperties(@DefaultValue("16") int capacity, @DefaultValue("2m") Duration maxWait) {

    public QueueProperties {
        if (capacity < 0) {
            throw new IllegalArgumentException("rkllm.queue.capacity must not be negative, got " + capacity);
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("rkllm.queue.max-wait must be positive, got " + maxWait);
        }
    }

}
