package io.rkllm.gateway.cluster;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.springframework.context.SmartLifecycle;

/**
 * The cluster's clock: whether Redis answers, then this board's heartbeat and the gateway's checks of its queued and
 * followed sessions, a few times per lease so that a missed beat or two never costs a board its lease. It ticks until
 * the board has left, so that a run finishing during the shutdown keeps its lease.
 */
public final class ClusterTicks implements SmartLifecycle {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
        Thread thread = new Thread(task, "rkllm-cluster-tick");
        thread.setDaemon(true);
        return thread;
    });

    private final ClusterRedis redis;

    private final BoardWorker worker;

    private final RedisSharedRuns runs;

    private final long everyMillis;

    private volatile boolean running;

    public ClusterTicks(ClusterRedis redis, BoardWorker worker, RedisSharedRuns runs, Duration lease) {
        this.redis = redis;
        this.worker = worker;
        this.runs = runs;
        this.everyMillis = Math.max(100, Math.min(1000, lease.toMillis() / 4));
    }

    @Override
    public void start() {
        // A tick waits for its Redis answers before the next one is due, so that ticks never pile up. While Redis does
        // not answer, the tick only asks whether it does again.
        this.timer.scheduleWithFixedDelay(() -> this.redis.check()
            .filter(Boolean::booleanValue)
            .flatMap((reachable) -> this.worker.heartbeat().then(this.runs.tick()))
            .block(), 0, this.everyMillis, TimeUnit.MILLISECONDS);
        this.running = true;
    }

    @Override
    public void stop() {
        this.running = false;
        this.timer.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return BoardWorker.REDIS_USERS_PHASE;
    }

}
