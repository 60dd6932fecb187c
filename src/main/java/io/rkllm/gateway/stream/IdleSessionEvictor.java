package io.rkllm.gateway.stream;

import java.time.Clock;

import org.springframework.scheduling.annotation.Scheduled;

/**
 * Evicts idle sessions every {@code rkllm.streams.eviction-interval}: no subscriber and no client call for
 * {@code rkllm.streams.idle-timeout}. A running or queued one is aborted first and ends as {@code evicted}.
 */
public class IdleSessionEvictor {

    private final StreamManager manager;

    private final Clock clock;

    public IdleSessionEvictor(StreamManager manager, Clock clock) {
        this.manager = manager;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${rkllm.streams.eviction-interval:5s}")
    public void evictIdle() {
        this.manager.evictIdle(this.clock.instant());
    }

}
