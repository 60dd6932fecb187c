package io.rkllm.gateway.observability;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.rpc.RpcObserver;
import io.rkllm.gateway.stream.StreamMetrics;

/**
 * Records the {@code rkllm.*} meters that measure events as they happen (time to first token, time per native
 * callback, JSON-RPC requests), fed by the stream manager, the native callback and the JSON-RPC dispatcher through the
 * observer interface each of them defines, and registers each model's token count as the stream manager hands it
 * over. {@link RkllmMeterBinder} registers the other meters; until it has, nothing is recorded. The hooks called per
 * token (on the native callback thread) allocate nothing.
 */
public class RkllmMetrics implements StreamMetrics, CallbackObserver, RpcObserver {

    /** One registry's meters: a binder may be bound to several registries. */
    private volatile Recorders[] bound = new Recorders[0];

    /** Every model's token count, by model id, registered in each registry bound now or later; guarded by this. */
    private final Map<String, LongAdder> tokenCounts = new LinkedHashMap<>();

    /** Records into these meters too; replaces the array whole, so that the hooks read it without a lock. */
    synchronized void add(Recorders recorders) {
        Recorders[] grown = Arrays.copyOf(this.bound, this.bound.length + 1);
        grown[grown.length - 1] = recorders;
        this.bound = grown;
        this.tokenCounts.forEach((model, count) -> registerTokens(recorders.registry(), model, count));
    }

    /** Time to first token of the default model's runs. */
    @Override
    public void firstToken(Duration sinceAccepted) {
        for (Recorders recorders : this.bound) {
            recorders.defaultTimeToFirstToken().record(sinceAccepted);
        }
    }

    @Override
    public void firstToken(String model, Duration sinceAccepted) {
        for (Recorders recorders : this.bound) {
            recorders.timeToFirstToken().withTags("model", model).record(sinceAccepted);
        }
    }

    @Override
    public synchronized void tokensCounted(String model, LongAdder count) {
        this.tokenCounts.put(model, count);
        for (Recorders recorders : this.bound) {
            registerTokens(recorders.registry(), model, count);
        }
    }

    @Override
    public void callbackTook(long nanos) {
        for (Recorders recorders : this.bound) {
            recorders.callbackDuration().record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Counts one JSON-RPC request. Every distinct value makes a new time series, so both come from small fixed sets:
     * {@code method} a registered method name or {@code unknown}, {@code outcome} {@code success} or an error code's
     * name.
     */
    @Override
    public void completed(String method, String outcome) {
        for (Recorders recorders : this.bound) {
            recorders.requests().withTags("method", method, "outcome", outcome).increment();
        }
    }

    private static void registerTokens(MeterRegistry registry, String model, LongAdder count) {
        FunctionCounter.builder("rkllm.tokens", count, LongAdder::sum)
            .description("Tokens generated")
            .baseUnit("tokens")
            .tag("model", model)
            .register(registry);
    }

    /**
     * The meters of one registry that the hooks record into.
     *
     * @param timeToFirstToken tagged by model
     * @param defaultTimeToFirstToken the default model's
     */
    record Recorders(MeterRegistry registry, MeterProvider<Timer> timeToFirstToken, Timer defaultTimeToFirstToken,
            Timer callbackDuration, MeterProvider<Counter> requests) {
    }

}
