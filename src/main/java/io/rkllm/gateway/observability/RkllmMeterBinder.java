package io.rkllm.gateway.observability;

import io.micrometer.core.instrument.Counter;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.rkllm.gateway.models.ModelActivity;
import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.stream.StreamManager;
import org.jspecify.annotations.Nullable;

/**
 * Registers every {@code rkllm.*} meter: the counters and gauges read from the stream manager's and the resident
 * models' own counts at each scrape, and the timers and request counter that {@link RkllmMetrics} records as things
 * happen. Meters of a model are tagged {@code model} with its id; a model's appear with the model.
 */
public class RkllmMeterBinder implements MeterBinder {

    private final StreamManager manager;

    private final RkllmMetrics metrics;

    private final @Nullable ResidentModels models;

    /** Meters of the stream manager alone: the service with a single model. */
    public RkllmMeterBinder(StreamManager manager, RkllmMetrics metrics) {
        this(manager, metrics, null);
    }

    public RkllmMeterBinder(StreamManager manager, RkllmMetrics metrics, @Nullable ResidentModels models) {
        this.manager = manager;
        this.metrics = metrics;
        this.models = models;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
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
        MeterProvider<Timer> timeToFirstToken = Timer.builder("rkllm.ttft")
            .description("Time from accepting a run to its first text, queueing, model loading and prefill included")
            .withRegistry(registry);
        // Registered now, so that the meter is there before the first run.
        Timer defaultTimeToFirstToken = timeToFirstToken.withTags("model", this.manager.defaultModel());
        Timer callbackDuration = Timer.builder("rkllm.callback.duration")
            .description("Time spent in Java per native result callback")
            .register(registry);
        MeterProvider<Counter> requests = Counter.builder("rkllm.requests")
            .description("JSON-RPC requests answered, by method and outcome")
            .baseUnit("requests")
            .withRegistry(registry);
        this.metrics.add(new RkllmMetrics.Recorders(registry, timeToFirstToken, defaultTimeToFirstToken,
                callbackDuration, requests));
        if (this.models != null) {
            bindModels(registry, this.models);
        }
    }

    private static void bindModels(MeterRegistry registry, ResidentModels models) {
        Gauge.builder("rkllm.models.resident", models, ResidentModels::residentCount)
            .description("Models loaded, or being loaded or unloaded")
            .baseUnit("models")
            .strongReference(true)
            .register(registry);
        models.onActivity((activity) -> {
            String model = activity.model();
            FunctionCounter.builder("rkllm.model.loads", activity, ModelActivity::loads)
                .description("Model loads, by model and outcome")
                .baseUnit("loads")
                .tags("model", model, "outcome", "success")
                .register(registry);
            FunctionCounter.builder("rkllm.model.loads", activity, ModelActivity::failedLoads)
                .description("Model loads, by model and outcome")
                .baseUnit("loads")
                .tags("model", model, "outcome", "failure")
                .register(registry);
            FunctionTimer.builder("rkllm.model.load.duration", activity, ModelActivity::loads,
                    ModelActivity::loadSeconds, TimeUnit.SECONDS)
                .description("Time the successful loads of a model took")
                .tag("model", model)
                .register(registry);
            FunctionCounter.builder("rkllm.model.unloads", activity, ModelActivity::unloads)
                .description("Model unloads: to make room, after the keep-alive, by an admin, or without the file")
                .baseUnit("unloads")
                .tag("model", model)
                .register(registry);
        });
    }

}
