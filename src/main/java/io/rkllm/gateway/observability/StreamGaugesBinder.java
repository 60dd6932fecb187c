package io.rkllm.gateway.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.rkllm.gateway.stream.StreamManager;

/** The gauges read from the stream manager at each scrape: sessions held and runs waiting for the NPU. */
public class StreamGaugesBinder implements MeterBinder {

    private final StreamManager manager;

    public StreamGaugesBinder(StreamManager manager) {
        this.manager = manager;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
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
    }

}
