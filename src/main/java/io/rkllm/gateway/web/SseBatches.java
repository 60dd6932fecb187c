package io.rkllm.gateway.web;

import java.io.ByteArrayOutputStream;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Joins encoded events into as few writes as the socket allows: while the writer asks for more, each event goes out
 * alone and at once; while it is busy, events pile up and go out together in its next write. Latency stays that of
 * one event under light load, and a fast stream is not held to one flush (one system call) per token.
 */
final class SseBatches {

    private SseBatches() {
    }

    static Flux<byte[]> of(Flux<byte[]> events) {
        return Flux.create((sink) -> new Drain(sink).subscribeTo(events));
    }

    /**
     * The classic drain loop: whoever moves {@code wip} from 0 emits, others just leave work for it. At most
     * {@link #LIMIT} events are asked for ahead of the writer, so a stalled client's backlog stays in the session's
     * shared replay buffer, with its subscription still attached, instead of piling up here.
     */
    private static final class Drain extends BaseSubscriber<byte[]> {

        private static final int LIMIT = 256;

        private final FluxSink<byte[]> sink;

        private final Queue<byte[]> pending = new ConcurrentLinkedQueue<>();

        private final AtomicInteger wip = new AtomicInteger();

        private volatile boolean done;

        private volatile @Nullable Throwable error;

        Drain(FluxSink<byte[]> sink) {
            this.sink = sink;
        }

        void subscribeTo(Flux<byte[]> events) {
            this.sink.onDispose(this);
            this.sink.onRequest((n) -> drain());
            events.subscribe(this);
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(LIMIT);
        }

        @Override
        protected void hookOnNext(byte[] event) {
            this.pending.offer(event);
            drain();
        }

        @Override
        protected void hookOnError(Throwable ex) {
            this.error = ex;
            this.done = true;
            drain();
        }

        @Override
        protected void hookOnComplete() {
            this.done = true;
            drain();
        }

        private void drain() {
            if (this.wip.getAndIncrement() != 0) {
                return;
            }
            do {
                while (this.sink.requestedFromDownstream() > 0 && !this.pending.isEmpty()) {
                    ByteArrayOutputStream batch = new ByteArrayOutputStream(256);
                    int taken = 0;
                    for (byte[] next = this.pending.poll(); next != null; next = this.pending.poll()) {
                        batch.writeBytes(next);
                        taken++;
                    }
                    this.sink.next(batch.toByteArray());
                    if (!this.done) {
                        request(taken);
                    }
                }
                if (this.done && this.pending.isEmpty()) {
                    Throwable failure = this.error;
                    if (failure != null) {
                        this.sink.error(failure);
                    }
                    else {
                        this.sink.complete();
                    }
                }
            }
            while (this.wip.decrementAndGet() != 0);
        }

    }

}
