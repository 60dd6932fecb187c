package io.rkllm.gateway.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SseBatches}: one write per event while the writer keeps up, one write for a backlog when it does not. */
class SseBatchesTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void eventsGoOutOneByOneWhileTheWriterAsksForMore() {
        Sinks.Many<byte[]> events = Sinks.many().unicast().onBackpressureBuffer();
        StepVerifier.create(SseBatches.of(events.asFlux()).map(SseBatchesTest::text))
            .then(() -> events.tryEmitNext(bytes("a")))
            .expectNext("a")
            .then(() -> events.tryEmitNext(bytes("b")))
            .expectNext("b")
            .then(events::tryEmitComplete)
            .verifyComplete();
    }

    @Test
    void eventsThatPileUpWhileTheWriterIsBusyGoOutTogetherInOrder() {
        Sinks.Many<byte[]> events = Sinks.many().unicast().onBackpressureBuffer();
        StepVerifier.create(SseBatches.of(events.asFlux()).map(SseBatchesTest::text), 0)
            .then(() -> {
                events.tryEmitNext(bytes("a"));
                events.tryEmitNext(bytes("b"));
                events.tryEmitNext(bytes("c"));
            })
            .expectNoEvent(Duration.ofMillis(50))
            .thenRequest(1)
            .expectNext("abc")
            .then(events::tryEmitComplete)
            .verifyComplete();
    }

    @Test
    void completionWaitsUntilThePiledUpEventsAreSent() {
        Sinks.Many<byte[]> events = Sinks.many().unicast().onBackpressureBuffer();
        StepVerifier.create(SseBatches.of(events.asFlux()).map(SseBatchesTest::text), 0)
            .then(() -> {
                events.tryEmitNext(bytes("x"));
                events.tryEmitComplete();
            })
            .thenRequest(1)
            .expectNext("x")
            .verifyComplete();
    }

    @Test
    void cancellingTheWriterCancelsTheEvents() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Sinks.Many<byte[]> events = Sinks.many().unicast().onBackpressureBuffer();
        StepVerifier.create(SseBatches.of(events.asFlux().doOnCancel(() -> cancelled.set(true))))
            .then(() -> events.tryEmitNext(bytes("a")))
            .expectNextCount(1)
            .thenCancel()
            .verify();
        assertThat(cancelled).isTrue();
    }

    @Test
    void aStalledWriterLeavesTheBacklogUpstreamInsteadOfCopyingIt() {
        AtomicLong requested = new AtomicLong();
        Flux<byte[]> events = Flux.range(0, 10_000).map((i) -> bytes("e")).doOnRequest(requested::addAndGet);
        StepVerifier.create(SseBatches.of(events), 0)
            .expectSubscription()
            .expectNoEvent(Duration.ofMillis(50))
            .thenCancel()
            .verify();
        assertThat(requested.get()).isBetween(1L, 256L);
    }

}
