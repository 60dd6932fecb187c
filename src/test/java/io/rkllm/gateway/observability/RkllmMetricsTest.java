package io.rkllm.gateway.observability;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RkllmMetrics}: every meter is there from the start, described, and moves when its hook is called. */
class RkllmMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final RkllmMetrics metrics = new RkllmMetrics(this.registry);

    @Test
    void everyMeterIsRegisteredUpFrontWithDescriptionAndBaseUnit() {
        assertDescribed(this.registry.get("rkllm.tokens").counter(), "tokens");
        assertDescribed(this.registry.get("rkllm.sessions.evicted").counter(), "sessions");
        assertDescribed(this.registry.get("rkllm.ttft").timer(), "seconds");
        assertDescribed(this.registry.get("rkllm.callback.duration").timer(), "seconds");
        assertThat(this.registry.get("rkllm.tokens").counter().count()).isZero();
        assertThat(this.registry.get("rkllm.ttft").timer().count()).isZero();
    }

    @Test
    void eachTokenCountsOne() {
        this.metrics.token();
        this.metrics.token();
        this.metrics.token();

        assertThat(this.registry.get("rkllm.tokens").counter().count()).isEqualTo(3);
    }

    @Test
    void evictionsAreCounted() {
        this.metrics.evicted();

        assertThat(this.registry.get("rkllm.sessions.evicted").counter().count()).isEqualTo(1);
    }

    @Test
    void timeToFirstTokenIsRecorded() {
        this.metrics.firstToken(Duration.ofMillis(250));
        this.metrics.firstToken(Duration.ofMillis(750));

        Timer ttft = this.registry.get("rkllm.ttft").timer();
        assertThat(ttft.count()).isEqualTo(2);
        assertThat(ttft.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1000);
        assertThat(ttft.max(TimeUnit.MILLISECONDS)).isEqualTo(750);
    }

    @Test
    void callbackDurationRecordsTheNanosEachCallbackTook() {
        this.metrics.callbackTook(1_500);
        this.metrics.callbackTook(2_500);

        Timer callbacks = this.registry.get("rkllm.callback.duration").timer();
        assertThat(callbacks.count()).isEqualTo(2);
        assertThat(callbacks.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(4_000);
    }

    @Test
    void requestsAreCountedPerMethodAndOutcome() {
        this.metrics.completed("rkllm_run", "success");
        this.metrics.completed("rkllm_run", "success");
        this.metrics.completed("rkllm_run", "invalid_params");
        this.metrics.completed("unknown", "method_not_found");

        assertThat(requests("rkllm_run", "success").count()).isEqualTo(2);
        assertThat(requests("rkllm_run", "invalid_params").count()).isEqualTo(1);
        assertThat(requests("unknown", "method_not_found").count()).isEqualTo(1);
        assertThat(this.registry.get("rkllm.requests").counters()).hasSize(3);
        assertDescribed(requests("rkllm_run", "success"), "requests");
    }

    private Counter requests(String method, String outcome) {
        return this.registry.get("rkllm.requests").tag("method", method).tag("outcome", outcome).counter();
    }

    private static void assertDescribed(Meter meter, String baseUnit) {
        assertThat(meter.getId().getDescription()).isNotBlank();
        assertThat(meter.getId().getBaseUnit()).isEqualTo(baseUnit);
    }

}
