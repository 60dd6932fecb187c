package io.rkllm.gateway.observability;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.rpc.RpcObserver;
import io.rkllm.gateway.stream.StreamMetrics;

/**
 * The {@code rkllm.*} counters and timers, fed by the stream manager, the native callback and the JSON-RPC
 * dispatcher through the observer interface each of them defines. The meters are registered once, here; the hooks
 * only record, so the ones called per token (on the native callback thread) allocate nothing.
 */
public class RkllmMetrics implements StreamMetrics, CallbackObserver, RpcObserver {

    private final Counter tokens;

    private final Counter evicted;

    private final Timer timeToFirstToken;

    private final Timer callbackDuration;

    private final MeterProvider<Counter> requests;

    public RkllmMetrics(MeterRegistry registry) {
        this.tokens = Counter.builder("rkllm.tokens")
            .description("Tokens generated")
            .baseUnit("tokens")
            .register(registry);
        this.evicted = Counter.builder("rkllm.sessions.evicted")
            .description("Sessions evicted after being idle for rkllm.streams.idle-timeout")
            .baseUnit("sessions")
            .register(registry);
        this.timeToFirstToken = Timer.builder("rkllm.ttft")
            .description("Time from accepting a run to its first text, queueing and prefill included")
            .register(registry);
        this.callbackDuration = Timer.builder("rkllm.callback.duration")
            .description("Time spent in Java per native result callback")
            .register(registry);
        this.requests = Counter.builder("rkllm.requests")
            .description("JSON-RPC requests answered, by method and outcome")
            .baseUnit("requests")
            .withRegistry(registry);
    }

    @Override
    public void token() {
        this.tokens.increment();
    }

    @Override
    public void firstToken(Duration sinceAccepted) {
        this.timeToFirstToken.record(sinceAccepted);
    }

    @Override
    public void evicted() {
        this.evicted.increment();
    }

    @Override
    public void callbackTook(long nanos) {
        this.callbackDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Counts one JSON-RPC request. Every distinct value makes a new time series, so both come from small fixed sets:
     * {@code method} a registered method name or {@code unknown}, {@code outcome} {@code success} or an error code's
     * name.
     */
    @Override
    public void completed(String method, String outcome) {
        this.requests.withTags("method", method, "outcome", outcome).increment();
    }

}
