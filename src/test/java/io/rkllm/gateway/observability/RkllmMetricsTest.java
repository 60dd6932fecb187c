package io.rkllm.gateway.observability;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.config.StreamsProperties;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.Simulator;
import io.rkllm.gateway.stream.StreamManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RkllmMetrics}: each hook records into the meters its binder registered, and before that into nothing. */
class RkllmMetricsTest {

    private final RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_3);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private final RkllmMetrics metrics = new RkllmMetrics();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        this.runtime.close();
        this.timer.shutdownNow();
    }

    private void bind() {
        StreamManager manager = new StreamManager(this.runtime,
                new StreamsProperties(8, 64, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(15)),
                new QueueProperties(4, Duration.ofMinutes(2)), Clock.systemUTC(), this.metrics, this.timer);
        new RkllmMeterBinder(manager, this.metrics).bindTo(this.registry);
    }

    @Test
    void hooksCalledBeforeBindingRecordNothing() {
        this.metrics.firstToken(Duration.ofMillis(250));
        this.metrics.callbackTook(1_500);
        this.metrics.completed("ping", "success");

        bind();

        assertThat(this.registry.get("rkllm.ttft").timer().count()).isZero();
        assertThat(this.registry.get("rkllm.callback.duration").timer().count()).isZero();
        assertThat(this.registry.find("rkllm.requests").counters()).isEmpty();
    }

    @Test
    void timeToFirstTokenIsRecorded() {
        bind();

        this.metrics.firstToken(Duration.ofMillis(250));
        this.metrics.firstToken(Duration.ofMillis(750));

        Timer ttft = this.registry.get("rkllm.ttft").timer();
        assertThat(ttft.count()).isEqualTo(2);
        assertThat(ttft.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1000);
        assertThat(ttft.max(TimeUnit.MILLISECONDS)).isEqualTo(750);
    }

    @Test
    void callbackDurationRecordsTheNanosEachCallbackTook() {
        bind();

        this.metrics.callbackTook(1_500);
        this.metrics.callbackTook(2_500);

        Timer callbacks = this.registry.get("rkllm.callback.duration").timer();
        assertThat(callbacks.count()).isEqualTo(2);
        assertThat(callbacks.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(4_000);
    }

    @Test
    void requestsAreCountedPerMethodAndOutcome() {
        bind();

        this.metrics.completed("rkllm_run", "success");
        this.metrics.completed("rkllm_run", "success");
        this.metrics.completed("rkllm_run", "invalid_params");
        this.metrics.completed("unknown", "method_not_found");

        assertThat(requests("rkllm_run", "success").count()).isEqualTo(2);
        assertThat(requests("rkllm_run", "invalid_params").count()).isEqualTo(1);
        assertThat(requests("unknown", "method_not_found").count()).isEqualTo(1);
        assertThat(this.registry.get("rkllm.requests").counters()).hasSize(3);
    }

    private Counter requests(String method, String outcome) {
        return this.registry.get("rkllm.requests").tag("method", method).tag("outcome", outcome).counter();
    }

}
