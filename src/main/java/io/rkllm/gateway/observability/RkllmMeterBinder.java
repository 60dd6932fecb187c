package io.rkllm.gateway.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.rkllm.gateway.stream.StreamManager;

/**
 * Registers every {@code rkllm.*} meter: the counters and gauges read from the stream manager's own counts at each
 * scrape, and the timers and request counter that {@link RkllmMetrics} records as things happen.
 */
public class RkllmMeterBinder implements MeterBinder {

    private final StreamManager manager;

    private final RkllmMetrics metrics;

    public RkllmMeterBinder(StreamManager manager, RkllmMetrics metrics) {
        this.manager = manager;
        this.metrics = metrics;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("rkllm.tokens", this.manager, StreamManager::tokensGenerated)
            .description("Tokens generated")
            .baseUnit("tokens")
            .register(registry);
        FunctionCounter.builder("rkllm.sessions.evicted", this.manager, StreamManager::sessionsEvicted)
            .description("Sessions evicted after being idle for rkllm.streams.idle-timeout")
            .baseUnit("sessions")
            .register(registry);
        // Strong references: a gauge holds its object weakly by default and would read NaN once it is collected.
        Gauge.builder("rkllm.sessions.active", this.manager, (manager) -> manager.status().activeSessions())
            .description("Sessions held, in any state, until they are removed or evicted")
            .baseUnit("sessions")
            .strongReference(true)
            .register(registry);
        Gauge.builder("rkllm.queue.depth", this.manager, StreamManager::queueDepth)
            .description("Runs waiting for the NPU")
            .baseUnit("sessions")
            .strongReference(true)
            .register(registry);
        Timer timeToFirstToken = Timer.builder("rkllm.ttft")
            .description("Time from accepting a run to its first text, queueing and prefill included")
            .register(registry);
        Timer callbackDuration = Timer.builder("rkllm.callback.duration")
            .description("Time spent in Java per native result callback")
            .register(registry);
        MeterProvider<Counter> requests = Counter.builder("rkllm.requests")
            .description("JSON-RPC requests answered, by method and outcome")
            .baseUnit("requests")
            .withRegistry(registry);
        this.metrics.add(new RkllmMetrics.Recorders(timeToFirstToken, callbackDuration, requests));
    }

}
