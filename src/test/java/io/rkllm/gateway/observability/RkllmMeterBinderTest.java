package io.rkllm.gateway.observability;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.config.StreamsProperties;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.Simulator;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RkllmMeterBinder}: every meter appears when the binder is bound, and the counters and gauges read a real
 * stream manager's own counts on the simulator.
 */
class RkllmMeterBinderTest {

    private final RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_3);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private final RkllmMetrics metrics = new RkllmMetrics();

    private final StreamManager manager = new StreamManager(this.runtime,
            new StreamsProperties(8, 64, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(15)),
            new QueueProperties(4, Duration.ofMinutes(2)), Clock.systemUTC(), this.metrics, this.timer);

    private final RkllmMeterBinder binder = new RkllmMeterBinder(this.manager, this.metrics);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        this.runtime.close();
        this.timer.shutdownNow();
    }

    @Test
    void everyMeterIsRegisteredWhenBoundWithDescriptionAndBaseUnit() {
        assertThat(this.registry.getMeters()).isEmpty();

        this.binder.bindTo(this.registry);

        assertDescribed(this.registry.get("rkllm.tokens").functionCounter(), "tokens");
        assertDescribed(this.registry.get("rkllm.sessions.evicted").functionCounter(), "sessions");
        assertDescribed(this.registry.get("rkllm.sessions.active").gauge(), "sessions");
        assertDescribed(this.registry.get("rkllm.queue.depth").gauge(), "sessions");
        assertDescribed(this.registry.get("rkllm.ttft").timer(), "seconds");
        assertDescribed(this.registry.get("rkllm.callback.duration").timer(), "seconds");
        // One series per method and outcome: the first request makes the first.
        this.metrics.completed("ping", "success");
        assertDescribed(this.registry.get("rkllm.requests").counter(), "requests");
    }

    @Test
    void allReadZeroOnAnIdleManager() {
        this.binder.bindTo(this.registry);

        assertThat(this.registry.get("rkllm.tokens").functionCounter().count()).isZero();
        assertThat(this.registry.get("rkllm.sessions.evicted").functionCounter().count()).isZero();
        assertThat(activeSessions()).isZero();
        assertThat(queueDepth()).isZero();
        assertThat(this.registry.get("rkllm.ttft").timer().count()).isZero();
    }

    @Test
    void tokensAreTheManagersOwnCount() {
        this.binder.bindTo(this.registry);

        StreamSession session = this.manager.startSynthetic(List.of("a", "b", "c"), Duration.ZERO,
                Caller.UNIDENTIFIED, null).session();
        session.end().orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(this.registry.get("rkllm.tokens").functionCounter().count()).isEqualTo(3)
            .isEqualTo(this.manager.tokensGenerated());
        assertThat(this.registry.get("rkllm.ttft").timer().count()).isEqualTo(1);
    }

    @Test
    void eachEvictionCountsOnceFromTheManagersOwnCount() {
        this.binder.bindTo(this.registry);
        for (String text : List.of("a", "b")) {
            this.manager.startSynthetic(List.of(text), Duration.ZERO, Caller.UNIDENTIFIED,
                    null).session().end().orTimeout(10, TimeUnit.SECONDS)
                .join();
        }

        assertThat(this.manager.evictIdle(Instant.now().plus(Duration.ofHours(1)))).isEqualTo(2);

        assertThat(this.registry.get("rkllm.sessions.evicted").functionCounter().count()).isEqualTo(2)
            .isEqualTo(this.manager.status().sessionsEvicted());
    }

    @Test
    void activeSessionsFollowsTheManagerUntilSessionsAreRemoved() {
        this.binder.bindTo(this.registry);

        StreamSession first = this.manager.startSynthetic(List.of("a", "b"), Duration.ZERO, Caller.UNIDENTIFIED,
                null).session();
        StreamSession second = this.manager.startSynthetic(List.of("c"), Duration.ZERO, Caller.UNIDENTIFIED,
                null).session();
        first.end().orTimeout(10, TimeUnit.SECONDS).join();
        second.end().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(activeSessions()).isEqualTo(2).isEqualTo(this.manager.status().activeSessions());

        this.manager.remove(first.id());
        assertThat(activeSessions()).isEqualTo(1);
    }

    @Test
    void queueDepthCountsRunsWaitingBehindTheRunningOne() {
        this.binder.bindTo(this.registry);
        String slow = "slow [[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=10000]]";

        StreamSession running = this.manager.start(RunRequest.prompt(slow), "rpc", Caller.UNIDENTIFIED, null)
            .block()
            .session();
        StreamSession waiting = this.manager.start(RunRequest.prompt("next" + Simulator.FAST), "rpc",
                Caller.UNIDENTIFIED, null).block().session();
        assertThat(waiting.state()).isEqualTo(SessionState.QUEUED);
        assertThat(queueDepth()).isEqualTo(1);
        assertThat(activeSessions()).isEqualTo(2);

        this.manager.remove(waiting.id());
        assertThat(queueDepth()).isZero();
        this.manager.remove(running.id());
        assertThat(running.end().orTimeout(10, TimeUnit.SECONDS).join().finishReason())
            .isEqualTo("aborted");
        assertThat(activeSessions()).isZero();
    }

    @Test
    void everyBoundRegistryGetsEveryMeterAndRecords() {
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        this.binder.bindTo(this.registry);
        this.binder.bindTo(second);

        this.metrics.firstToken(Duration.ofMillis(10));
        this.metrics.callbackTook(1_000);

        for (SimpleMeterRegistry bound : List.of(this.registry, second)) {
            assertThat(bound.getMeters()).hasSize(6);
            assertThat(bound.get("rkllm.ttft").timer().count()).isEqualTo(1);
            assertThat(bound.get("rkllm.callback.duration").timer().count()).isEqualTo(1);
        }
    }

    private double activeSessions() {
        return this.registry.get("rkllm.sessions.active").gauge().value();
    }

    private double queueDepth() {
        return this.registry.get("rkllm.queue.depth").gauge().value();
    }

    private static void assertDescribed(Meter meter, String baseUnit) {
        assertThat(meter.getId().getDescription()).isNotBlank();
        assertThat(meter.getId().getBaseUnit()).isEqualTo(baseUnit);
    }

}
