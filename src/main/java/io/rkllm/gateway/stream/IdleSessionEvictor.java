package io.rkllm.gateway.stream;

import java.time.Clock;
import java.time.Duration;

import io.rkllm.gateway.config.StreamsProperties;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Evicts idle sessions every {@code rkllm.streams.eviction-interval}: no subscriber and no client call for
 * {@code rkllm.streams.idle-timeout}. A running or queued one is aborted first and ends as {@code evicted}.
 */
public class IdleSessionEvictor implements SchedulingConfigurer {

    private final StreamManager manager;

    private final Duration interval;

    private final Clock clock;

    public IdleSessionEvictor(StreamManager manager, StreamsProperties properties, Clock clock) {
        this.manager = manager;
        this.interval = properties.evictionInterval();
        this.clock = clock;
    }

    /** Schedules {@link #evictIdle()} with the bound interval, so that its checks and default are the only ones. */
    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::evictIdle, this.interval);
    }

    public void evictIdle() {
        this.manager.evictIdle(this.clock.instant());
    }

}
