package io.rkllm.gateway.observability;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.config.StreamsProperties;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.Simulator;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamMetrics;
import io.rkllm.gateway.stream.StreamSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link StreamGaugesBinder}: the gauges follow a real stream manager on the simulator. */
class StreamGaugesBinderTest {

    private final RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_3);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private final StreamManager manager = new StreamManager(this.runtime,
            new StreamsProperties(8, 64, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(15)),
            new QueueProperties(4, Duration.ofMinutes(2)), Clock.systemUTC(), StreamMetrics.NONE, this.timer);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        this.runtime.close();
        this.timer.shutdownNow();
    }

    @Test
    void gaugesAreDescribedWithBaseUnits() {
        new StreamGaugesBinder(this.manager).bindTo(this.registry);

        for (String name : List.of("rkllm.sessions.active", "rkllm.queue.depth")) {
            Gauge gauge = this.registry.get(name).gauge();
            assertThat(gauge.getId().getDescription()).isNotBlank();
            assertThat(gauge.getId().getBaseUnit()).isEqualTo("sessions");
        }
    }

    @Test
    void gaugesReadZeroOnAnIdleManager() {
        new StreamGaugesBinder(this.manager).bindTo(this.registry);

        assertThat(activeSessions()).isZero();
        assertThat(queueDepth()).isZero();
    }

    @Test
    void activeSessionsFollowsTheManagerUntilSessionsAreRemoved() {
        new StreamGaugesBinder(this.manager).bindTo(this.registry);

        StreamSession first = this.manager.startSynthetic(List.of("a", "b"), Duration.ZERO, null).session();
        StreamSession second = this.manager.startSynthetic(List.of("c"), Duration.ZERO, null).session();
        first.end().orTimeout(10, TimeUnit.SECONDS).join();
        second.end().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(activeSessions()).isEqualTo(2).isEqualTo(this.manager.status().activeSessions());

        this.manager.remove(first.id());
        assertThat(activeSessions()).isEqualTo(1);
    }

    @Test
    void queueDepthCountsRunsWaitingBehindTheRunningOne() {
        new StreamGaugesBinder(this.manager).bindTo(this.registry);
        String slow = "slow [[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=10000]]";

        StreamSession running = this.manager.start(RunRequest.prompt(slow), "rpc", null).session();
        StreamSession waiting = this.manager.start(RunRequest.prompt("next" + Simulator.FAST), "rpc", null).session();
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

    private double activeSessions() {
        return this.registry.get("rkllm.sessions.active").gauge().value();
    }

    private double queueDepth() {
        return this.registry.get("rkllm.queue.depth").gauge().value();
    }

}
