package io.rkllm.gateway.chat;

import java.time.Duration;

import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.chat.ChatEvent.Queued;
import io.rkllm.gateway.chat.ChatEvent.Text;
import io.rkllm.gateway.chat.ChatEvent.Usage;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

import static org.assertj.core.api.Assertions.assertThat;

/** When a streamed answer's head goes out, and that the run's events reach the body whole, or are cancelled. */
class StreamOpeningTest {

    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private static final Usage NONE = new Usage(0, 0, null);

    @Test
    void aRunThatFailsFirstOpensWithItsFailure() {
        GatewayException refused = new GatewayException(ErrorCode.INVALID_PARAMS, "too long");

        StepVerifier.create(StreamOpening.of(Flux.just(new Done("error", NONE, refused)), PATIENCE))
            .assertNext((opening) -> assertThat(opening.failure()).isSameAs(refused))
            .verifyComplete();
    }

    @Test
    void aQueuePositionOpensTheStreamAndEveryEventReachesTheBody() {
        TestPublisher<ChatEvent> run = TestPublisher.create();

        StreamOpening.Opening opening = StreamOpening.of(run.flux(), PATIENCE)
            .doOnSubscribe((subscription) -> run.next(new Queued(1)))
            .block(Duration.ofSeconds(5));

        assertThat(opening.failure()).isNull();
        run.next(new Text("hello"));
        StepVerifier.create(opening.events())
            .expectNext(new Queued(1), new Text("hello"))
            .then(() -> run.next(new Done("stop", NONE, null)).complete())
            .expectNextMatches((event) -> event instanceof Done done && done.failure() == null)
            .verifyComplete();
    }

    @Test
    void silenceOpensTheStreamAfterThePatience() {
        TestPublisher<ChatEvent> run = TestPublisher.create();

        StepVerifier.withVirtualTime(() -> StreamOpening.of(run.flux(), PATIENCE))
            .expectSubscription()
            .expectNoEvent(PATIENCE.minusMillis(1))
            .thenAwait(Duration.ofMillis(1))
            .assertNext((opening) -> assertThat(opening.failure()).isNull())
            .verifyComplete();
        run.assertNotCancelled();
    }

    @Test
    void cancellingTheOpeningOrTheBodyCancelsTheRun() {
        TestPublisher<ChatEvent> waiting = TestPublisher.create();
        StepVerifier.create(StreamOpening.of(waiting.flux(), PATIENCE)).thenCancel().verify();
        waiting.assertCancelled();

        TestPublisher<ChatEvent> streaming = TestPublisher.create();
        StreamOpening.Opening opening = StreamOpening.of(streaming.flux(), PATIENCE)
            .doOnSubscribe((subscription) -> streaming.next(new Text("a")))
            .block(Duration.ofSeconds(5));
        StepVerifier.create(opening.events()).expectNext(new Text("a")).thenCancel().verify();
        streaming.assertCancelled();
    }

}
