package io.rkllm.gateway.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * What one SSE connection writes, handed to the connection's own event loop: the events that arrived since the loop
 * last turned to this connection are encoded there and go out as one buffer, so a subscriber that falls behind (many
 * subscribers, a busy machine) catches up with one write instead of one per token, and the thread that delivers the
 * events (the native callback thread) neither encodes nor writes; a {@code : keep-alive} comment every heartbeat,
 * timed on that loop too, instead of a timer per connection elsewhere.
 *
 * <p>
 * At most {@value #PREFETCH} events wait here: a client that stops reading leaves the rest in its session's replay
 * buffer.
 *
 * @param <T> the events, encoded by the given function
 */
final class SseOutbox<T> extends Flux<DataBuffer> implements CoreSubscriber<T>, Subscription, Runnable {

    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private static final int PREFETCH = 256;

    private final Publisher<T> events;

    private final Function<? super T, byte[]> encoder;

    private final EventLoop loop;

    private final DataBufferFactory buffers;

    private final Duration heartbeat;

    /** Written every heartbeat when nothing else goes out; null for a format without comments (NDJSON). */
    private final byte @Nullable [] keepAliveBytes;

    // Shared with the threads events arrive on, guarded by this.
    private List<T> pending = new ArrayList<>();

    private boolean keepAliveDue;

    private boolean scheduled;

    private boolean eventsDone;

    private @Nullable Throwable eventsError;

    // Confined to the event loop.
    private @Nullable List<T> spare = new ArrayList<>();

    private byte @Nullable [] preamble;

    private long requested;

    private boolean draining;

    // Set when the connection went or the events ended: nothing more goes towards the connection.
    private volatile boolean terminated;

    private @Nullable CoreSubscriber<? super DataBuffer> actual;

    private @Nullable Subscription upstream;

    private volatile @Nullable ScheduledFuture<?> beat;

    /**
     * @param preamble written first, before any event (null: none)
     */
    SseOutbox(byte @Nullable [] preamble, Publisher<T> events, Function<? super T, byte[]> encoder, EventLoop loop,
            DataBufferFactory buffers, Duration heartbeat) {
        this(preamble, events, encoder, loop, buffers, heartbeat, KEEP_ALIVE);
    }

    /**
     * @param keepAlive written every heartbeat while nothing else is (null: no heartbeat)
     */
    SseOutbox(byte @Nullable [] preamble, Publisher<T> events, Function<? super T, byte[]> encoder, EventLoop loop,
            DataBufferFactory buffers, Duration heartbeat, byte @Nullable [] keepAlive) {
        this.keepAliveBytes = keepAlive;
        this.preamble = preamble;
        this.events = events;
        this.encoder = encoder;
        this.loop = loop;
        this.buffers = buffers;
        this.heartbeat = heartbeat;
    }

    @Override
    public void subscribe(CoreSubscriber<? super DataBuffer> subscriber) {
        if (this.actual != null) {
            Operators.error(subscriber, new IllegalStateException("an SSE outbox has one subscriber, its connection"));
            return;
        }
        this.actual = subscriber;
        this.events.subscribe(this);
    }

    @Override
    public Context currentContext() {
        return actual().currentContext();
    }

    @Override
    public void onSubscribe(Subscription subscription) {
        this.upstream = subscription;
        actual().onSubscribe(this);
        if (this.keepAliveBytes != null) {
            long period = this.heartbeat.toNanos();
            this.beat = this.loop.scheduleAtFixedRate(this::keepAlive, period, period, TimeUnit.NANOSECONDS);
        }
        if (this.terminated) {
            // Gone while the heartbeat was being set up: it must not tick on for a connection that is no more.
            stopBeating();
            return;
        }
        subscription.request(PREFETCH);
    }

    @Override
    public void onNext(T event) {
        synchronized (this) {
            this.pending.add(event);
            if (this.scheduled) {
                return;
            }
            this.scheduled = true;
        }
        this.loop.execute(this);
    }

    @Override
    public void onError(Throwable error) {
        end(error);
    }

    @Override
    public void onComplete() {
        end(null);
    }

    private void end(@Nullable Throwable error) {
        synchronized (this) {
            this.eventsDone = true;
            this.eventsError = error;
            if (this.scheduled) {
                return;
            }
            this.scheduled = true;
        }
        this.loop.execute(this);
    }

    /** A turn of the event loop for this connection. */
    @Override
    public void run() {
        synchronized (this) {
            this.scheduled = false;
        }
        drain();
    }

    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            return;
        }
        if (this.loop.inEventLoop()) {
            addDemand(n);
        }
        else {
            this.loop.execute(() -> addDemand(n));
        }
    }

    private void addDemand(long n) {
        this.requested = Operators.addCap(this.requested, n);
        drain();
    }

    @Override
    public void cancel() {
        this.terminated = true;
        stopBeating();
        upstream().cancel();
        synchronized (this) {
            this.pending = new ArrayList<>();
        }
    }

    private void keepAlive() {
        synchronized (this) {
            this.keepAliveDue = true;
        }
        drain();
    }

    /** On the event loop only: everything pending as one buffer, then the end once nothing is left. */
    private void drain() {
        if (this.draining || this.terminated) {
            return;
        }
        this.draining = true;
        try {
            List<T> batch = null;
            boolean keepAlive = false;
            boolean done;
            Throwable error;
            synchronized (this) {
                if (this.requested > 0) {
                    if (!this.pending.isEmpty()) {
                        batch = this.pending;
                        this.pending = (this.spare != null) ? this.spare : new ArrayList<>();
                        this.spare = null;
                    }
                    keepAlive = this.keepAliveDue;
                    this.keepAliveDue = false;
                }
                done = this.eventsDone && this.pending.isEmpty();
                error = this.eventsError;
            }
            if (batch != null || keepAlive || (this.preamble != null && this.requested > 0)) {
                this.requested--;
                send(batch, keepAlive);
            }
            if (batch != null) {
                int events = batch.size();
                batch.clear();
                this.spare = batch;
                if (!done) {
                    upstream().request(events);
                }
            }
            if (done && this.preamble == null && !this.terminated) {
                this.terminated = true;
                stopBeating();
                if (error != null) {
                    actual().onError(error);
                }
                else {
                    actual().onComplete();
                }
            }
        }
        finally {
            this.draining = false;
        }
    }

    /** Writes the preamble (once), the batch's events and a keep-alive comment, as one buffer. */
    private void send(@Nullable List<T> batch, boolean keepAlive) {
        if (this.preamble == null && !keepAlive && batch != null && batch.size() == 1) {
            actual().onNext(this.buffers.wrap(this.encoder.apply(batch.get(0))));
            return;
        }
        List<byte[]> parts = new ArrayList<>((batch != null) ? batch.size() + 2 : 2);
        if (this.preamble != null) {
            parts.add(this.preamble);
            this.preamble = null;
        }
        if (batch != null) {
            for (T event : batch) {
                parts.add(this.encoder.apply(event));
            }
        }
        if (keepAlive && this.keepAliveBytes != null) {
            parts.add(this.keepAliveBytes);
        }
        int size = 0;
        for (byte[] part : parts) {
            size += part.length;
        }
        DataBuffer buffer = this.buffers.allocateBuffer(size);
        for (byte[] part : parts) {
            buffer.write(part);
        }
        actual().onNext(buffer);
    }

    private void stopBeating() {
        ScheduledFuture<?> future = this.beat;
        if (future != null) {
            future.cancel(false);
        }
    }

    private CoreSubscriber<? super DataBuffer> actual() {
        CoreSubscriber<? super DataBuffer> subscriber = this.actual;
        if (subscriber == null) {
            throw new IllegalStateException("no subscriber yet");
        }
        return subscriber;
    }

    private Subscription upstream() {
        Subscription subscription = this.upstream;
        if (subscription == null) {
            throw new IllegalStateException("not subscribed to the events yet");
        }
        return subscription;
    }

}
