package io.rkllm.gateway.web;

import java.io.ByteArrayOutputStream;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
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
        return Flux.create((sink) -> new Drain(sink).subscribe(events));
    }

    /** The classic drain loop: whoever moves {@code wip} from 0 emits, others just leave work for it. */
    private static final class Drain {

        private final FluxSink<byte[]> sink;

        private final Queue<byte[]> pending = new ConcurrentLinkedQueue<>();

        private final AtomicInteger wip = new AtomicInteger();

        private volatile boolean done;

        private volatile @Nullable Throwable error;

        Drain(FluxSink<byte[]> sink) {
            this.sink = sink;
        }

        void subscribe(Flux<byte[]> events) {
            this.sink.onDispose(events.subscribe((event) -> {
                this.pending.offer(event);
                drain();
            }, (ex) -> {
                this.error = ex;
                this.done = true;
                drain();
            }, () -> {
                this.done = true;
                drain();
            }));
            this.sink.onRequest((n) -> drain());
        }

        private void drain() {
            if (this.wip.getAndIncrement() != 0) {
                return;
            }
            do {
                while (this.sink.requestedFromDownstream() > 0 && !this.pending.isEmpty()) {
                    this.sink.next(takeAll());
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

        private byte[] takeAll() {
            byte[] first = this.pending.poll();
            if (this.pending.isEmpty()) {
                return first;
            }
            ByteArrayOutputStream batch = new ByteArrayOutputStream(first.length * 8);
            batch.writeBytes(first);
            for (byte[] next = this.pending.poll(); next != null; next = this.pending.poll()) {
                batch.writeBytes(next);
            }
            return batch.toByteArray();
        }

    }

}
