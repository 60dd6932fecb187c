package io.rkllm.gateway.cluster;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's clock: this board's heartbeat and the gateway's checks of its queued and followed sessions, a few
 * times per lease so that a missed beat or two never costs a board its lease.
 */
public final class ClusterTicks implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
        Thread thread = new Thread(task, "rkllm-cluster-tick");
        thread.setDaemon(true);
        return thread;
    });

    public ClusterTicks(BoardWorker worker, RedisSharedRuns runs, Duration lease) {
        long every = Math.max(100, Math.min(1000, lease.toMillis() / 4));
        // A tick waits for its Redis answers before the next one is due, so that ticks never pile up.
        this.timer.scheduleWithFixedDelay(() -> worker.heartbeat().then(runs.tick()).block(), 0, every,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        this.timer.shutdownNow();
    }

}
