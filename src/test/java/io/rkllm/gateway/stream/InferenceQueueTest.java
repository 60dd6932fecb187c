package io.rkllm.gateway.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.stream.StreamChunk.ChunkError;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** {@link InferenceQueue}: FIFO order, capacity, queue positions, max wait and stray completions. */
class InferenceQueueTest {

    private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(10);

    private final MutableClock clock = MutableClock.start();

    private final List<StreamSession> launched = new CopyOnWriteArrayList<>();

    /** Position updates after a finished run; run at once unless a test holds them back. */
    private final List<Runnable> positionUpdates = new ArrayList<>();

    private boolean holdPositionUpdates;

    private InferenceQueue queue(int capacity, Duration maxWait) {
        return new InferenceQueue(capacity, 0, maxWait, this.clock, (session) -> {
            session.markRunning();
            this.launched.add(session);
        }, (update) -> {
            if (this.holdPositionUpdates) {
                this.positionUpdates.add(update);
            }
            else {
                update.run();
            }
        });
    }

    private StreamSession session() {
        return new StreamSession(null, null, "test", Caller.UNIDENTIFIED, SessionState.QUEUED, this.clock, 16);
    }

    @Test
    void sessionsRunOneAtATimeInTheOrderTheyCame() {
        InferenceQueue queue = queue(8, Duration.ofMinutes(2));
        StreamSession first = session();
        StreamSession second = session();
        StreamSession third = session();

        queue.enqueue(first);
        queue.enqueue(second);
        queue.enqueue(third);
        assertThat(this.launched).containsExactly(first);
        assertThat(queue.running()).isSameAs(first);
        assertThat(queue.depth()).isEqualTo(2);

        assertThat(queue.finished(first)).as("handed over to the next").isTrue();
        assertThat(this.launched).containsExactly(first, second);
        assertThat(queue.finished(second)).isTrue();
        assertThat(this.launched).containsExactly(first, second, third);
        assertThat(queue.depth()).isZero();
        assertThat(queue.finished(third)).as("nobody waiting").isFalse();
        assertThat(queue.running()).isNull();

        StreamSession later = session();
        queue.enqueue(later);
        assertThat(this.launched).containsExactly(first, second, third, later);
    }

    @Test
    void aFullQueueRefusesAtOnceWithQueueFull() {
        InferenceQueue queue = queue(2, Duration.ofMinutes(2));
        queue.enqueue(session());
        queue.enqueue(session());
        queue.enqueue(session());
        StreamSession refused = session();

        assertThatExceptionOfType(GatewayException.class).isThrownBy(() -> queue.enqueue(refused))
            .satisfies((ex) -> {
                assertThat(ex.errorCode()).isEqualTo(ErrorCode.QUEUE_FULL);
                assertThat(ex.errorCode().code()).isEqualTo(-32000);
            })
            .withMessageContaining("rkllm.queue.capacity");
        assertThat(queue.depth()).isEqualTo(2);
        assertThat(refused.queuePosition()).isNull();
        assertThat(this.launched).hasSize(1);
    }

    @Test
    void zeroCapacityStillRunsWhenTheNpuIsFree() {
        InferenceQueue queue = queue(0, Duration.ofMinutes(2));
        StreamSession first = session();
        queue.enqueue(first);

        assertThat(this.launched).containsExactly(first);
        assertThatExceptionOfType(GatewayException.class).isThrownBy(() -> queue.enqueue(session()))
            .satisfies((ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.QUEUE_FULL));
    }

    @Test
    void theNextRunStartsBeforeTheSessionsStillWaitingLearnTheirNewPositions() {
        InferenceQueue queue = queue(8, Duration.ofMinutes(2));
        StreamSession running = session();
        StreamSession next = session();
        StreamSession later = session();
        queue.enqueue(running);
        queue.enqueue(next);
        queue.enqueue(later);
        this.holdPositionUpdates = true;

        queue.finished(running);
        assertThat(this.launched).containsExactly(running, next);
        assertThat(later.queuePosition()).as("not told yet").isEqualTo(2);

        assertThat(this.positionUpdates).hasSize(1);
        this.positionUpdates.forEach(Runnable::run);
        assertThat(later.queuePosition()).isEqualTo(1);
    }

    @Test
    void waitingSessionsAreNumberedFromOne() {
        InferenceQueue queue = queue(8, Duration.ofMinutes(2));
        StreamSession running = session();
        StreamSession one = session();
        StreamSession two = session();
        StreamSession three = session();
        queue.enqueue(running);
        queue.enqueue(one);
        queue.enqueue(two);
        queue.enqueue(three);

        assertThat(running.queuePosition()).isNull();
        assertThat(running.state()).isEqualTo(SessionState.RUNNING);
        assertThat(List.of(one, two, three)).extracting(StreamSession::queuePosition).containsExactly(1, 2, 3);
        StepVerifier.create(three.events(-1))
            .expectNext(new StatusEvent(SessionState.QUEUED, 3))
            .thenCancel()
            .verify(VERIFY_TIMEOUT);
    }

    @Test
    void positionsAreRenumberedAfterARemoveAndAfterARunFinishes() {
        InferenceQueue queue = queue(8, Duration.ofMinutes(2));
        StreamSession running = session();
        StreamSession one = session();
        StreamSession two = session();
        StreamSession three = session();
        queue.enqueue(running);
        queue.enqueue(one);
        queue.enqueue(two);
        queue.enqueue(three);

        StepVerifier.create(three.events(-1))
            .expectNext(new StatusEvent(SessionState.QUEUED, 3))
            .then(() -> assertThat(queue.remove(two)).isTrue())
            .expectNext(new StatusEvent(SessionState.QUEUED, 2))
            .then(() -> queue.finished(running))
            .expectNext(new StatusEvent(SessionState.QUEUED, 1))
            .then(() -> queue.finished(one))
            .expectNext(new StatusEvent(SessionState.RUNNING, null))
            .thenCancel()
            .verify(VERIFY_TIMEOUT);

        assertThat(this.launched).containsExactly(running, one, three);
        assertThat(three.queuePosition()).isNull();
        assertThat(queue.depth()).isZero();
    }

    @Test
    void removeOfASessionThatIsNotWaitingIsFalse() {
        InferenceQueue queue = queue(8, Duration.ofMinutes(2));
        StreamSession running = session();
        StreamSession waiting = session();
        queue.enqueue(running);
        queue.enqueue(waiting);

        assertThat(queue.remove(running)).isFalse();
        assertThat(queue.remove(session())).isFalse();
        assertThat(queue.remove(waiting)).isTrue();
        assertThat(queue.remove(waiting)).isFalse();
        assertThat(queue.running()).isSameAs(running);
    }

    @Test
    void aSessionWaitingLongerThanTheMaxWaitFailsWithAnErrorChunk() {
        InferenceQueue queue = queue(8, Duration.ofMinutes(1));
        StreamSession running = session();
        StreamSession overdue = session();
        StreamSession patient = session();
        queue.enqueue(running);
        queue.enqueue(overdue);
        this.clock.advance(Duration.ofSeconds(30));
        queue.enqueue(patient);

        this.clock.advance(Duration.ofSeconds(30));
        queue.expireOverdue(this.clock.instant());
        assertThat(overdue.state()).isEqualTo(SessionState.QUEUED);
        assertThat(queue.depth()).isEqualTo(2);

        this.clock.advance(Duration.ofMillis(1));
        queue.expireOverdue(this.clock.instant());

        assertThat(overdue.state()).isEqualTo(SessionState.FAILED);
        StreamChunk last = overdue.end().getNow(null);
        assertThat(last).isNotNull();
        assertThat(last.end()).isTrue();
        assertThat(last.finishReason()).isEqualTo("error");
        ChunkError error = last.error();
        assertThat(error).isNotNull();
        assertThat(error.code()).isEqualTo(-32000);
        assertThat(error.message()).contains("rkllm.queue.max-wait");
        assertThat(patient.state()).isEqualTo(SessionState.QUEUED);
        assertThat(patient.queuePosition()).isEqualTo(1);
        assertThat(queue.depth()).isEqualTo(1);

        queue.finished(running);
        assertThat(this.launched).containsExactly(running, patient);
    }

    @Test
    void finishedOfASessionThatIsNotRunningIsIgnored() {
        InferenceQueue queue = queue(8, Duration.ofMinutes(2));
        StreamSession running = session();
        StreamSession waiting = session();
        queue.enqueue(running);
        queue.enqueue(waiting);

        assertThat(queue.finished(waiting)).isFalse();
        assertThat(queue.finished(session())).isFalse();

        assertThat(queue.running()).isSameAs(running);
        assertThat(queue.depth()).isEqualTo(1);
        assertThat(waiting.queuePosition()).isEqualTo(1);
        assertThat(this.launched).containsExactly(running);

        assertThat(queue.finished(running)).isTrue();
        assertThat(queue.finished(running)).isFalse();
        assertThat(queue.running()).isSameAs(waiting);
        assertThat(this.launched).containsExactly(running, waiting);
    }

}
