package io.rkllm.gateway.observability;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.Timer;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.rpc.RpcObserver;
import io.rkllm.gateway.stream.StreamMetrics;

/**
 * Records the {@code rkllm.*} meters that measure events as they happen (time to first token, time per native
 * callback, JSON-RPC requests), fed by the stream manager, the native callback and the JSON-RPC dispatcher through the
 * observer interface each of them defines. {@link RkllmMeterBinder} registers the meters; until it has, nothing is
 * recorded. The hooks called per token (on the native callback thread) allocate nothing.
 */
public class RkllmMetrics implements StreamMetrics, CallbackObserver, RpcObserver {

    /** One registry's meters: a binder may be bound to several registries. */
    private volatile Recorders[] bound = new Recorders[0];

    /** Records into these meters too; replaces the array whole, so that the hooks read it without a lock. */
    synchronized void add(Recorders recorders) {
        Recorders[] grown = Arrays.copyOf(this.bound, this.bound.length + 1);
        grown[grown.length - 1] = recorders;
        this.bound = grown;
    }

    @Override
    public void firstToken(Duration sinceAccepted) {
        for (Recorders recorders : this.bound) {
            recorders.timeToFirstToken().record(sinceAccepted);
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

    /** The meters of one registry that the hooks record into. */
    record Recorders(Timer timeToFirstToken, Timer callbackDuration, MeterProvider<Counter> requests) {
    }

}
