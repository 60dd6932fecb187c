package io.rkllm.gateway.stream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import io.rkllm.gateway.nativebridge.FinishReason;
import io.rkllm.gateway.nativebridge.RunResult;
import org.junit.jupiter.api.RepeatedTest;
import reactor.core.Disposable;
import reactor.test.util.RaceTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SessionSubscriber} when the native thread emits while a client subscribes or cancels on another thread:
 * every chunk after the resume point arrives once and in order, and a subscriber leaves the session's count exactly
 * once however its end and its cancellation meet.
 */
class SessionSubscriberRaceTest {

    private static final int CHUNKS = 64;

    private final MutableClock clock = MutableClock.start();

    private StreamSession running() {
        return new StreamSession(null, null, "test", Caller.UNIDENTIFIED, SessionState.RUNNING, this.clock, 4096);
    }

    private static void emitAll(StreamSession session) {
        for (int i = 0; i < CHUNKS; i++) {
            session.append("t" + i);
        }
        session.finish(new RunResult(FinishReason.STOP, CHUNKS, null, null));
    }

    private static List<Long> seqs(List<StreamEvent> events) {
        return events.stream().filter(StreamChunk.class::isInstance).map((e) -> ((StreamChunk) e).seq()).toList();
    }

    @RepeatedTest(200)
    void aSubscriberThatJoinsWhileChunksAreEmittedGetsEachOnceInOrder() {
        StreamSession session = running();
        List<StreamEvent> seen = new CopyOnWriteArrayList<>();
        AtomicReference<Disposable> subscription = new AtomicReference<>();

        RaceTestUtils.race(() -> emitAll(session),
                () -> subscription.set(session.events(-1).subscribe(seen::add)));

        assertThat(session.end()).isCompleted();
        assertThat(seqs(seen)).containsExactlyElementsOf(LongStream.rangeClosed(0, CHUNKS).boxed().toList());
        assertThat(session.subscribers()).isZero();
    }

    @RepeatedTest(200)
    void aResumingSubscriberGetsOnlyWhatFollowsItsResumePointOnceInOrder() {
        StreamSession session = running();
        for (int i = 0; i < 10; i++) {
            session.append("early" + i);
        }
        List<StreamEvent> seen = new CopyOnWriteArrayList<>();

        RaceTestUtils.race(() -> emitAll(session), () -> session.events(4).subscribe(seen::add));

        assertThat(seqs(seen)).containsExactlyElementsOf(LongStream.rangeClosed(5, 10 + CHUNKS).boxed().toList());
    }

    @RepeatedTest(200)
    void aCancelThatMeetsTheEndLeavesTheSubscriberCountAtZero() {
        StreamSession session = running();
        session.append("a");
        Disposable reader = session.events(-1).subscribe();
        assertThat(session.subscribers()).isOne();

        RaceTestUtils.race(reader::dispose, () -> emitAll(session));

        assertThat(session.subscribers()).isZero();
        assertThat(session.end()).isCompleted();
    }

    @RepeatedTest(200)
    void aSubscriberCancelledWhileChunksArriveSeesAPrefixWithoutGaps() {
        StreamSession session = running();
        List<StreamEvent> seen = new CopyOnWriteArrayList<>();
        Disposable reader = session.events(-1).subscribe(seen::add);

        RaceTestUtils.race(() -> emitAll(session), reader::dispose);

        List<Long> seqs = seqs(seen);
        assertThat(seqs).containsExactlyElementsOf(LongStream.range(0, seqs.size()).boxed().toList());
        assertThat(session.subscribers()).isZero();
    }

}
