package io.rkllm.gateway.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.rkllm.gateway.nativebridge.FinishReason;
import io.rkllm.gateway.nativebridge.Perf;
import io.rkllm.gateway.nativebridge.RunResult;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.stream.StreamChunk.ChunkError;
import io.rkllm.gateway.stream.StreamSession.Poll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link StreamSession}: numbering, end chunk, replay, resume, status, poll and subscribers, without native code. */
class StreamSessionTest {

    private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(10);

    private static final Perf PERF = new Perf(12.5, 4, 80.0, 3, 100.0);

    private final MutableClock clock = MutableClock.start();

    private StreamSession running(int replayLimit) {
        return new StreamSession(null, null, "test", Caller.UNIDENTIFIED, SessionState.RUNNING, this.clock, replayLimit);
    }

    private StreamSession running() {
        return running(4096);
    }

    private StreamSession queued() {
        return new StreamSession(null, null, "test", Caller.UNIDENTIFIED, SessionState.QUEUED, this.clock, 16);
    }

    private static RunResult stop() {
        return new RunResult(FinishReason.STOP, 3, PERF, null);
    }

    private static StreamChunk end(long seq, String finishReason) {
        return new StreamChunk(seq, "", true, finishReason, null, null, null);
    }

    @Test
    void seqStartsAtZeroAndHasNoGaps() {
        StreamSession session = running();
        assertThat(session.nextSeq()).isZero();
        session.append("Hel");
        session.append("lo");
        session.append(" you");
        session.finish(stop());

        Poll all = session.poll(0L);
        assertThat(all.chunks()).extracting(StreamChunk::seq).containsExactly(0L, 1L, 2L, 3L);
        assertThat(all.chunks()).extracting(StreamChunk::delta).containsExactly("Hel", "lo", " you", "");
        assertThat(session.nextSeq()).isEqualTo(4);
    }

    @Test
    void endChunkHasEndTrueTheFinishReasonAndThePerf() {
        StreamSession session = running();
        session.append("a");
        session.finish(stop());

        StreamChunk last = session.end().getNow(null);
        assertThat(last).isEqualTo(new StreamChunk(1, "", true, "stop", null, PERF, null));
        assertThat(session.state()).isEqualTo(SessionState.FINISHED);
    }

    @Test
    void endChunkOfARunThatHitTheTokenLimitSaysLength() {
        StreamSession session = running();
        session.finish(new RunResult(FinishReason.LENGTH, 3, PERF, null));

        assertThat(session.end().getNow(null).finishReason()).isEqualTo("length");
        assertThat(session.state()).isEqualTo(SessionState.FINISHED);
    }

    @Test
    void endChunkOfAFailedRunCarriesTheInferenceFailedError() {
        StreamSession session = running();
        session.append("a");
        session.finish(new RunResult(FinishReason.ERROR, 1, null, "the runtime reported an error after 1 tokens"));

        StreamChunk last = session.end().getNow(null);
        assertThat(last.end()).isTrue();
        assertThat(last.finishReason()).isEqualTo("error");
        assertThat(last.error()).isEqualTo(new ChunkError(ErrorCode.INFERENCE_FAILED.code(),
                "the runtime reported an error after 1 tokens"));
        assertThat(last.error().code()).isEqualTo(-32004);
        assertThat(session.state()).isEqualTo(SessionState.FAILED);
    }

    @Test
    void abortOfASessionWithoutARunEndsItAtOnceAsAborted() {
        StreamSession session = queued();

        assertThat(session.requestAbort("aborted", null)).isTrue();

        assertThat(session.state()).isEqualTo(SessionState.ABORTED);
        assertThat(session.end().getNow(null)).isEqualTo(end(0, "aborted"));
        assertThat(session.requestAbort("aborted", null)).isFalse();
    }

    @Test
    void lateSubscriberAfterTheEndGetsEveryChunkReplayedThenCompletes() {
        StreamSession session = running();
        session.append("Hel");
        session.append("lo");
        session.finish(stop());

        StepVerifier.create(session.events(-1))
            .expectNext(StreamChunk.delta(0, "Hel"), StreamChunk.delta(1, "lo"),
                    new StreamChunk(2, "", true, "stop", null, PERF, null))
            .expectComplete()
            .verify(VERIFY_TIMEOUT);
    }

    @Test
    void resumeAfterALastEventIdYieldsOnlyTheChunksAfterIt() {
        StreamSession session = running();
        session.append("a");
        session.append("b");
        session.append("c");
        session.finish(stop());

        StepVerifier.create(session.events(1))
            .expectNext(StreamChunk.delta(2, "c"), new StreamChunk(3, "", true, "stop", null, PERF, null))
            .expectComplete()
            .verify(VERIFY_TIMEOUT);
    }

    @Test
    void resumeAfterALastEventIdOfALiveSessionGetsTheRestThenLiveChunks() {
        StreamSession session = running();
        session.append("a");
        session.append("b");

        StepVerifier.create(session.events(0))
            .expectNext(new StatusEvent(SessionState.RUNNING, null), StreamChunk.delta(1, "b"))
            .then(() -> session.append("c"))
            .expectNext(StreamChunk.delta(2, "c"))
            .then(() -> session.finish(stop()))
            .expectNext(new StreamChunk(3, "", true, "stop", null, PERF, null))
            .expectComplete()
            .verify(VERIFY_TIMEOUT);
    }

    @Test
    void resumePointOlderThanTheReplayWindowStartsWithAReplayGapEvent() {
        StreamSession session = running(3);
        for (int i = 0; i < 5; i++) {
            session.append("t" + i);
        }
        session.finish(stop());
        // Kept: 3 "t3", 4 "t4", 5 (end).

        StepVerifier.create(session.events(0))
            .assertNext((event) -> {
                assertThat(event).isInstanceOf(ReplayGapEvent.class);
                ReplayGapEvent gap = (ReplayGapEvent) event;
                assertThat(gap.firstAvailableSeq()).isEqualTo(3);
                assertThat(gap.message()).contains("1 to 2").contains("replay-limit");
            })
            .expectNext(StreamChunk.delta(3, "t3"), StreamChunk.delta(4, "t4"),
                    new StreamChunk(5, "", true, "stop", null, PERF, null))
            .expectComplete()
            .verify(VERIFY_TIMEOUT);
    }

    @Test
    void resumePointInsideTheReplayWindowHasNoGapEvent() {
        StreamSession session = running(3);
        for (int i = 0; i < 5; i++) {
            session.append("t" + i);
        }
        session.finish(stop());

        StepVerifier.create(session.events(2))
            .expectNext(StreamChunk.delta(3, "t3"), StreamChunk.delta(4, "t4"),
                    new StreamChunk(5, "", true, "stop", null, PERF, null))
            .expectComplete()
            .verify(VERIFY_TIMEOUT);
    }

    @Test
    void activeSessionStartsASubscriptionWithItsCurrentStatus() {
        StreamSession running = running();
        StepVerifier.create(running.events(-1))
            .expectNext(new StatusEvent(SessionState.RUNNING, null))
            .thenCancel()
            .verify(VERIFY_TIMEOUT);

        StreamSession queued = queued();
        queued.markQueued(2);
        StepVerifier.create(queued.events(-1))
            .expectNext(new StatusEvent(SessionState.QUEUED, 2))
            .then(() -> queued.markQueued(1))
            .expectNext(new StatusEvent(SessionState.QUEUED, 1))
            .then(queued::markRunning)
            .expectNext(new StatusEvent(SessionState.RUNNING, null))
            .then(() -> queued.append("x"))
            .expectNext(StreamChunk.delta(0, "x"))
            .thenCancel()
            .verify(VERIFY_TIMEOUT);
        assertThat(queued.queuePosition()).isNull();
    }

    @Test
    void aLateSubscriberGetsTheCurrentStateOnceAndNoneOfTheStateChangesBeforeIt() {
        StreamSession session = queued();
        session.markQueued(3);
        session.markQueued(2);
        session.markQueued(1);
        session.markRunning();
        session.append("a");
        session.append("b");
        StepVerifier.create(session.events(-1))
            .expectNext(new StatusEvent(SessionState.RUNNING, null), StreamChunk.delta(0, "a"),
                    StreamChunk.delta(1, "b"))
            .then(() -> session.append("c"))
            .expectNext(StreamChunk.delta(2, "c"))
            .then(() -> session.finish(stop()))
            .expectNext(new StreamChunk(3, "", true, "stop", null, PERF, null))
            .expectComplete()
            .verify(VERIFY_TIMEOUT);
    }

    @Test
    void stateChangesWaitForASubscriberThatAsksLaterAndArriveInOrder() {
        StreamSession session = queued();
        session.markQueued(3);
        StepVerifier.create(session.events(-1), 0)
            .then(() -> {
                session.markQueued(2);
                session.markQueued(1);
                session.markRunning();
                session.append("a");
            })
            .thenRequest(Long.MAX_VALUE)
            .expectNext(new StatusEvent(SessionState.QUEUED, 3), new StatusEvent(SessionState.QUEUED, 2),
                    new StatusEvent(SessionState.QUEUED, 1), new StatusEvent(SessionState.RUNNING, null),
                    StreamChunk.delta(0, "a"))
            .thenCancel()
            .verify(VERIFY_TIMEOUT);
    }

    @Test
    void theHeadComesFirstOneEventPerRequestAndNoChunkOvertakesIt() {
        StreamSession session = running(2);
        for (int i = 0; i < 5; i++) {
            session.append("t" + i);
        }
        StepVerifier.create(session.events(-1), 0)
            .then(() -> session.append("t5"))
            .thenRequest(1)
            .assertNext((event) -> assertThat(event).isInstanceOf(ReplayGapEvent.class))
            .expectNoEvent(Duration.ofMillis(50))
            .thenRequest(1)
            .expectNext(new StatusEvent(SessionState.RUNNING, null))
            .expectNoEvent(Duration.ofMillis(50))
            .thenRequest(1)
            .expectNext(StreamChunk.delta(3, "t3"))
            .thenRequest(2)
            .expectNext(StreamChunk.delta(4, "t4"), StreamChunk.delta(5, "t5"))
            .thenCancel()
            .verify(VERIFY_TIMEOUT);
        assertThat(session.subscribers()).isZero();
    }

    @Test
    void pollReturnsTheChunksFromSinceSeqInclusiveMergedWithTheNextSeq() {
        StreamSession session = running();
        session.append("a");
        session.append("b");
        session.append("c");

        Poll poll = session.poll(1L);

        assertThat(poll.sessionId()).isEqualTo(session.id());
        assertThat(poll.state()).isEqualTo(SessionState.RUNNING);
        assertThat(poll.chunks()).containsExactly(StreamChunk.delta(1, "b"), StreamChunk.delta(2, "c"));
        assertThat(poll.chunk()).isEqualTo(StreamChunk.delta(2, "bc"));
        assertThat(poll.nextSeq()).isEqualTo(3);
    }

    @Test
    void pollOlderThanTheReplayWindowSaysWhichIsTheOldestChunkStillKept() {
        StreamSession session = running(2);
        session.append("a");
        session.append("b");
        session.append("c");

        Poll gap = session.poll(0L);
        Poll kept = session.poll(1L);

        assertThat(gap.chunks()).containsExactly(StreamChunk.delta(1, "b"), StreamChunk.delta(2, "c"));
        assertThat(gap.firstSeq()).isEqualTo(1L);
        assertThat(kept.firstSeq()).isNull();
        assertThat(JsonMapper.shared().valueToTree(gap).has("first_seq")).isTrue();
        assertThat(JsonMapper.shared().valueToTree(kept).has("first_seq")).isFalse();
    }

    @Test
    void pollWithoutSinceSeqContinuesAfterThePreviousPoll() {
        StreamSession session = running();
        session.append("a");
        session.append("b");

        Poll first = session.poll(null);
        assertThat(first.chunks()).extracting(StreamChunk::seq).containsExactly(0L, 1L);
        assertThat(first.chunk()).isEqualTo(StreamChunk.delta(1, "ab"));
        assertThat(first.nextSeq()).isEqualTo(2);

        Poll nothing = session.poll(null);
        assertThat(nothing.chunks()).isEmpty();
        assertThat(nothing.chunk()).isNull();
        assertThat(nothing.nextSeq()).isEqualTo(2);

        session.append("c");
        session.finish(stop());
        Poll last = session.poll(null);
        assertThat(last.chunks()).extracting(StreamChunk::seq).containsExactly(2L, 3L);
        assertThat(last.chunk()).isEqualTo(new StreamChunk(3, "c", true, "stop", null, PERF, null));
        assertThat(last.state()).isEqualTo(SessionState.FINISHED);
        assertThat(last.nextSeq()).isEqualTo(4);
    }

    @Test
    void pollWithSinceSeqMovesTheCursorForTheNextPollWithoutIt() {
        StreamSession session = running();
        session.append("a");
        session.append("b");
        session.append("c");

        assertThat(session.poll(2L).chunks()).extracting(StreamChunk::seq).containsExactly(2L);
        session.append("d");

        assertThat(session.poll(null).chunks()).containsExactly(StreamChunk.delta(3, "d"));
    }

    @Test
    void subscriberCountGoesUpOnSubscribeAndDownOnCancel() {
        StreamSession session = running();
        assertThat(session.subscribers()).isZero();

        StepVerifier.create(session.events(-1), 0)
            .expectSubscription()
            .then(() -> assertThat(session.subscribers()).isEqualTo(1))
            .thenCancel()
            .verify(VERIFY_TIMEOUT);

        assertThat(session.subscribers()).isZero();
    }

    @Test
    void subscriberCountGoesDownWhenTheStreamCompletes() {
        StreamSession session = running();
        Disposable first = session.events(-1).subscribe();
        Disposable second = session.events(-1).subscribe();
        assertThat(session.subscribers()).isEqualTo(2);

        session.finish(stop());

        assertThat(session.subscribers()).isZero();
        assertThat(first.isDisposed()).isTrue();
        assertThat(second.isDisposed()).isTrue();
    }

    @Test
    void aLeavingSubscriberCountsAsActivity() {
        StreamSession session = running();
        Disposable subscriber = session.events(-1).subscribe();
        this.clock.advance(Duration.ofMinutes(5));
        assertThat(session.isIdle(this.clock.instant(), Duration.ofSeconds(30))).isFalse();

        subscriber.dispose();

        assertThat(session.lastActivity()).isEqualTo(this.clock.instant());
        assertThat(session.isIdle(this.clock.instant(), Duration.ofSeconds(30))).isFalse();
        this.clock.advance(Duration.ofSeconds(30));
        assertThat(session.isIdle(this.clock.instant(), Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void emptyDeltasMakeNoChunk() {
        StreamSession session = running();

        assertThat(session.append("")).isFalse();
        assertThat(session.append("a")).isTrue();
        assertThat(session.append("")).isFalse();
        assertThat(session.append("b")).isFalse();

        assertThat(session.nextSeq()).isEqualTo(2);
        assertThat(session.poll(0L).chunks()).containsExactly(StreamChunk.delta(0, "a"), StreamChunk.delta(1, "b"));
    }

    @Test
    void nothingIsAppendedAfterTheEnd() {
        StreamSession session = running();
        session.append("a");
        session.fail(ErrorCode.QUEUE_FULL, "gone");

        assertThat(session.append("late")).isFalse();
        session.finish(stop());
        session.fail(ErrorCode.INTERNAL_ERROR, "again");
        assertThat(session.requestAbort("aborted", null)).isFalse();

        assertThat(session.nextSeq()).isEqualTo(2);
        assertThat(session.state()).isEqualTo(SessionState.FAILED);
        assertThat(session.poll(0L).chunks()).containsExactly(StreamChunk.delta(0, "a"),
                new StreamChunk(1, "", true, "error", null, null, new ChunkError(-32000, "gone")));
        StepVerifier.create(session.events(-1))
            .expectNextCount(2)
            .expectComplete()
            .verify(VERIFY_TIMEOUT);
    }

    @Test
    void aSlowSubscriberSlowsNeitherTheProducerNorAnotherSubscriber() {
        int count = 50_000;
        StreamSession session = running();
        List<StreamEvent> fast = Collections.synchronizedList(new ArrayList<>());
        List<StreamEvent> slow = new ArrayList<>();
        AtomicInteger appended = new AtomicInteger();
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try {
            StepVerifier.create(session.events(-1), 0)
                .expectSubscription()
                .then(() -> {
                    session.events(-1).subscribe(fast::add);
                    CompletableFuture<Void> appends = CompletableFuture.runAsync(() -> {
                        for (int i = 0; i < count; i++) {
                            session.append("t" + i);
                            appended.incrementAndGet();
                        }
                        session.requestAbort("aborted", null);
                    }, producer);
                    await().atMost(Duration.ofSeconds(30)).until(appends::isDone);
                    assertThat(appends).isCompleted();
                    assertThat(appended).hasValue(count);
                    assertEveryChunkInOrder(fast, count);
                })
                .thenRequest(Long.MAX_VALUE)
                .recordWith(() -> slow)
                .thenConsumeWhile((event) -> true)
                .expectComplete()
                .verify(VERIFY_TIMEOUT);
        }
        finally {
            producer.shutdownNow();
        }
        assertEveryChunkInOrder(slow, count);
    }

    /** The running status, then chunks 0 to count-1 carrying "t<seq>", then the end chunk; a concise failure. */
    private static void assertEveryChunkInOrder(List<StreamEvent> events, int count) {
        assertThat(events.size()).as("events received").isEqualTo(count + 2);
        assertThat(events.get(0)).isEqualTo(new StatusEvent(SessionState.RUNNING, null));
        for (int seq = 0; seq < count; seq++) {
            StreamEvent event = events.get(seq + 1);
            if (!StreamChunk.delta(seq, "t" + seq).equals(event)) {
                assertThat(event).as("chunk %d", seq).isEqualTo(StreamChunk.delta(seq, "t" + seq));
            }
        }
        assertThat(events.get(count + 1)).isEqualTo(end(count, "aborted"));
    }

}
