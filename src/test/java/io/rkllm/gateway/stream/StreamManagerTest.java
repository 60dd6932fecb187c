package io.rkllm.gateway.stream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.config.StreamsProperties;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.nativebridge.CollectingListener;
import io.rkllm.gateway.nativebridge.InferMode;
import io.rkllm.gateway.nativebridge.InputKind;
import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.nativebridge.NativeRun;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.Sampling;
import io.rkllm.gateway.nativebridge.Simulator;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.rpc.RpcCall;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.LongNode;
import tools.jackson.databind.node.StringNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** {@link StreamManager} against the 1.3 simulator: queueing, abort, eviction, limits, synthetic runs and lookups. */
class StreamManagerTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final MutableClock clock = MutableClock.start();

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
        Thread thread = new Thread(task, "rkllm-synthetic");
        thread.setDaemon(true);
        return thread;
    });

    private final List<RkllmRuntime> runtimes = new ArrayList<>();

    private RkllmRuntime runtime;

    private StreamManager manager;

    @BeforeEach
    void openRuntime() {
        this.runtime = open(Simulator.open(AbiGeneration.V1_3));
        assertThat(this.runtime.status().ready()).isTrue();
        this.manager = manager(this.runtime, 256, 16, StreamMetrics.NONE);
    }

    @AfterEach
    void closeRuntimes() {
        this.runtimes.forEach(RkllmRuntime::close);
        this.timer.shutdownNow();
    }

    private RkllmRuntime open(RkllmRuntime opened) {
        this.runtimes.add(opened);
        return opened;
    }

    private StreamManager manager(RkllmRuntime on, int maxSessions, int queueCapacity, StreamMetrics metrics) {
        return new StreamManager(on,
                new StreamsProperties(maxSessions, 4096, IDLE_TIMEOUT, Duration.ofSeconds(5), Duration.ofSeconds(15)),
                new QueueProperties(queueCapacity, Duration.ofMinutes(2)), this.clock, metrics, this.timer);
    }

    /** A prompt whose echo starts with {@code word}, generating {@code tokens} tokens {@code delayUs} apart. */
    private static RunRequest prompt(String word, int tokens, int delayUs) {
        return RunRequest.prompt(word + " [[sim:prefill_ms=0]][[sim:delay_us=" + delayUs + "]][[sim:tokens=" + tokens
                + "]]");
    }

    private static RunRequest quick(String word) {
        return prompt(word, 5, 0);
    }

    /** Runs for minutes unless something stops it. */
    private static RunRequest endless(String word) {
        return prompt(word, 100_000, 1000);
    }

    private static StreamChunk awaitEnd(StreamSession session) {
        return session.end().orTimeout(Simulator.timeout().toSeconds(), TimeUnit.SECONDS).join();
    }

    private static String text(StreamSession session) {
        return session.poll(0L).chunks().stream().map(StreamChunk::delta).collect(Collectors.joining());
    }

    private static List<StatusEvent> statuses(List<StreamEvent> events) {
        return events.stream()
            .filter(StatusEvent.class::isInstance)
            .map(StatusEvent.class::cast)
            .collect(Collectors.toList());
    }

    private static List<StreamChunk> chunks(List<StreamEvent> events) {
        return events.stream()
            .filter(StreamChunk.class::isInstance)
            .map(StreamChunk.class::cast)
            .collect(Collectors.toList());
    }

    @Test
    void concurrentRunsCompleteInSubmissionOrderWithoutMixingTokens() {
        // A run submitted to the runtime directly holds the NPU, so that the queue fills deterministically.
        CollectingListener holder = new CollectingListener();
        NativeRun hold = this.runtime.submit(endless("HOLD"), holder);
        await().atMost(Simulator.timeout()).until(() -> holder.tokens() > 0);

        int count = 6;
        List<StreamSession> sessions = new ArrayList<>();
        List<List<StreamEvent>> events = new ArrayList<>();
        Queue<Integer> completed = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < count; i++) {
            StreamSession session = this.manager.start(prompt("MARKER" + i, 30, 500), "rpc", Caller.UNIDENTIFIED, null)
                .block()
                .session();
            List<StreamEvent> seen = new CopyOnWriteArrayList<>();
            session.events(-1).subscribe(seen::add);
            int index = i;
            session.end().thenRun(() -> completed.add(index));
            sessions.add(session);
            events.add(seen);
        }

        assertThat(sessions.get(0).state()).isEqualTo(SessionState.RUNNING);
        assertThat(sessions.get(0).queuePosition()).isNull();
        for (int i = 1; i < count; i++) {
            assertThat(sessions.get(i).state()).isEqualTo(SessionState.QUEUED);
            assertThat(sessions.get(i).queuePosition()).isEqualTo(i);
            assertThat(events.get(i)).first().isEqualTo(new StatusEvent(SessionState.QUEUED, i));
        }
        assertThat(this.manager.queueDepth()).isEqualTo(count - 1);
        StreamManagerStatus status = this.manager.status();
        assertThat(status.queued()).isEqualTo(count - 1);
        assertThat(status.activeSessions()).isEqualTo(count);
        assertThat(status.runningSessionId()).isEqualTo(sessions.get(0).id());

        assertThat(hold.abort()).isTrue();
        sessions.forEach(StreamManagerTest::awaitEnd);

        assertThat(completed).containsExactly(0, 1, 2, 3, 4, 5);
        for (int i = 0; i < count; i++) {
            StreamSession session = sessions.get(i);
            assertThat(session.state()).isEqualTo(SessionState.FINISHED);
            StreamChunk last = session.end().join();
            assertThat(last.finishReason()).isEqualTo("stop");
            assertThat(last.perf()).isNotNull();
            assertThat(last.perf().generateTokens()).isEqualTo(30);
            String text = text(session);
            assertThat(text).startsWith("MARKER" + i + " ").doesNotContain("HOLD");
            for (int other = 0; other < count; other++) {
                if (other != i) {
                    assertThat(text).doesNotContain("MARKER" + other);
                }
            }
            List<StreamChunk> chunks = chunks(events.get(i));
            assertThat(chunks).extracting(StreamChunk::seq)
                .containsExactlyElementsOf(LongStream.range(0, chunks.size()).boxed().collect(Collectors.toList()));
            assertThat(chunks).last().isEqualTo(last);
            List<StatusEvent> expected = new ArrayList<>();
            for (int position = i; position >= 1; position--) {
                expected.add(new StatusEvent(SessionState.QUEUED, position));
            }
            expected.add(new StatusEvent(SessionState.RUNNING, null));
            assertThat(statuses(events.get(i))).as("statuses of session %d", i).isEqualTo(expected);
        }
        assertThat(this.manager.queueDepth()).isZero();
        await().atMost(Simulator.timeout()).until(() -> this.manager.status().runningSessionId() == null);
    }

    @Test
    void abortOfAQueuedSessionEndsItAtOnceAndRenumbersTheQueue() {
        StreamSession running = this.manager.start(endless("FIRST"), "rpc", Caller.UNIDENTIFIED, null)
            .block()
            .session();
        StreamSession one = this.manager.start(endless("ONE"), "rpc", Caller.UNIDENTIFIED, null).block().session();
        StreamSession two = this.manager.start(endless("TWO"), "rpc", Caller.UNIDENTIFIED, null).block().session();
        StreamSession three = this.manager.start(endless("THREE"), "rpc", Caller.UNIDENTIFIED, null).block().session();
        List<StreamEvent> seenByThree = new CopyOnWriteArrayList<>();
        three.events(-1).subscribe(seenByThree::add);
        assertThat(three.queuePosition()).isEqualTo(3);

        assertThat(this.manager.abort(two)).isTrue();

        assertThat(two.state()).isEqualTo(SessionState.ABORTED);
        assertThat(two.end()).isCompleted();
        assertThat(two.end().join()).isEqualTo(new StreamChunk(0, "", true, "aborted", null, null, null));
        assertThat(this.manager.abort(two)).isFalse();
        assertThat(one.queuePosition()).isEqualTo(1);
        assertThat(three.queuePosition()).isEqualTo(2);
        assertThat(seenByThree).containsExactly(new StatusEvent(SessionState.QUEUED, 3),
                new StatusEvent(SessionState.QUEUED, 2));
        assertThat(this.manager.queueDepth()).isEqualTo(2);
        assertThat(running.state()).isEqualTo(SessionState.RUNNING);
        assertThat(this.manager.find(two.id())).containsSame(two);
    }

    @Test
    void abortOfTheRunningSessionEndsItAsAbortedAndTheNextQueuedOneRuns() {
        StreamSession first = this.manager.start(endless("FIRST"), "rpc", Caller.UNIDENTIFIED, null).block().session();
        StreamSession second = this.manager.start(prompt("SECOND", 20, 0), "rpc", Caller.UNIDENTIFIED, null)
            .block()
            .session();
        await().atMost(Simulator.timeout()).until(() -> first.nextSeq() >= 3);
        assertThat(second.state()).isEqualTo(SessionState.QUEUED);

        assertThat(this.manager.abort(first)).isTrue();

        StreamChunk last = awaitEnd(first);
        assertThat(last.end()).isTrue();
        assertThat(last.finishReason()).isEqualTo("aborted");
        assertThat(first.state()).isEqualTo(SessionState.ABORTED);
        StreamChunk secondLast = awaitEnd(second);
        assertThat(secondLast.finishReason()).isEqualTo("stop");
        assertThat(text(second)).startsWith("SECOND").doesNotContain("FIRST");
        assertThat(first.nextSeq()).isEqualTo(last.seq() + 1);
        await().atMost(Simulator.timeout()).until(() -> !this.runtime.isRunning());
        assertThat(this.manager.status().runningSessionId()).isNull();
    }

    @Test
    void abortRunningStopsTheNativeRun() {
        StreamSession session = this.manager.start(endless("LONG"), "rpc", Caller.UNIDENTIFIED, null).block().session();
        await().atMost(Simulator.timeout()).until(() -> session.nextSeq() > 0);
        assertThat(this.runtime.isRunning()).isTrue();

        assertThat(this.manager.abortRunning(Caller.UNIDENTIFIED)).containsSame(session);

        await().atMost(Simulator.timeout()).until(() -> !this.runtime.isRunning());
        assertThat(awaitEnd(session).finishReason()).isEqualTo("aborted");
        assertThat(session.state()).isEqualTo(SessionState.ABORTED);
        assertThat(this.manager.abortRunning(Caller.UNIDENTIFIED)).isEmpty();
    }

    @Test
    void idleFinishedSessionIsEvicted() {
        StreamSession session = this.manager.start(quick("DONE"), "rpc", Caller.UNIDENTIFIED, null).block().session();
        awaitEnd(session);
        assertThat(this.manager.status().activeSessions()).isEqualTo(1);

        this.clock.advance(IDLE_TIMEOUT.minusMillis(1));
        assertThat(this.manager.evictIdle(this.clock.instant())).isZero();
        assertThat(this.manager.status().activeSessions()).isEqualTo(1);

        this.clock.advance(Duration.ofMillis(1));
        assertThat(this.manager.evictIdle(this.clock.instant())).isEqualTo(1);

        StreamManagerStatus status = this.manager.status();
        assertThat(status.activeSessions()).isZero();
        assertThat(status.sessionsEvicted()).isEqualTo(1);
        assertThat(status.sessionsCreated()).isEqualTo(1);
        assertThat(this.manager.find(session.id())).isEmpty();
        assertThat(session.state()).isEqualTo(SessionState.FINISHED);
    }

    @Test
    void idleRunningSessionIsAbortedThenEvicted() {
        StreamSession session = this.manager.start(endless("IDLE"), "rpc", Caller.UNIDENTIFIED, null).block().session();
        await().atMost(Simulator.timeout()).until(() -> session.nextSeq() > 0);
        assertThat(this.runtime.isRunning()).isTrue();

        this.clock.advance(IDLE_TIMEOUT.plusSeconds(1));
        assertThat(this.manager.evictIdle(this.clock.instant())).isEqualTo(1);

        assertThat(this.manager.status().activeSessions()).isZero();
        assertThat(this.manager.status().sessionsEvicted()).isEqualTo(1);
        StreamChunk last = awaitEnd(session);
        assertThat(last.end()).isTrue();
        assertThat(last.finishReason()).isEqualTo("evicted");
        assertThat(last.reason()).isEqualTo("evicted");
        assertThat(session.state()).isEqualTo(SessionState.EVICTED);
        await().atMost(Simulator.timeout()).until(() -> !this.runtime.isRunning());
    }

    @Test
    void aQueuedSessionKeepsItsPlaceAndItsIdleClockStartsWhenItLeavesTheQueue() {
        StreamSession running = this.manager.start(endless("WATCHED"), "rpc", Caller.UNIDENTIFIED, null)
            .block()
            .session();
        Disposable watcher = running.events(-1).subscribe();
        StreamSession queued = this.manager.start(quick("WAITING"), "rpc", Caller.UNIDENTIFIED, null).block().session();

        this.clock.advance(IDLE_TIMEOUT.plusSeconds(1));
        assertThat(this.manager.evictIdle(this.clock.instant())).isZero();
        assertThat(queued.state()).isEqualTo(SessionState.QUEUED);
        assertThat(queued.queuePosition()).isEqualTo(1);

        watcher.dispose();
        assertThat(this.manager.abort(running)).isTrue();
        assertThat(awaitEnd(queued).finishReason()).isEqualTo("stop");
        this.clock.advance(IDLE_TIMEOUT.minusMillis(1));
        assertThat(this.manager.evictIdle(this.clock.instant())).isZero();
        this.clock.advance(Duration.ofMillis(1));
        assertThat(this.manager.evictIdle(this.clock.instant())).as("the aborted run and the one that waited")
            .isEqualTo(2);
    }

    @Test
    void sessionWithASubscriberIsNotEvictedHoweverMuchTimePasses() {
        StreamSession session = this.manager.start(endless("WATCHED"), "rpc", Caller.UNIDENTIFIED, null)
            .block()
            .session();
        Disposable subscriber = session.events(-1).subscribe();
        assertThat(session.subscribers()).isEqualTo(1);

        this.clock.advance(Duration.ofDays(3));
        assertThat(this.manager.evictIdle(this.clock.instant())).isZero();
        assertThat(this.manager.find(session.id())).containsSame(session);
        assertThat(session.state()).isEqualTo(SessionState.RUNNING);

        subscriber.dispose();
        assertThat(this.manager.evictIdle(this.clock.instant())).isZero();
        this.clock.advance(IDLE_TIMEOUT);
        assertThat(this.manager.evictIdle(this.clock.instant())).isEqualTo(1);
        assertThat(awaitEnd(session).finishReason()).isEqualTo("evicted");
        await().atMost(Simulator.timeout()).until(() -> !this.runtime.isRunning());
    }

    @Test
    void clientCallsRefreshTheActivityOfASession() {
        StreamSession session = this.manager.start(quick("POLLED"), "rpc", Caller.UNIDENTIFIED, "req-9")
            .block()
            .session();
        awaitEnd(session);

        this.clock.advance(Duration.ofSeconds(20));
        assertThat(this.manager.find(session.id())).containsSame(session);
        this.clock.advance(Duration.ofSeconds(20));
        assertThat(this.manager.evictIdle(this.clock.instant())).isZero();

        assertThat(this.manager.require(session.id(), Caller.UNIDENTIFIED).block()).isSameAs(session);
        this.clock.advance(Duration.ofSeconds(20));
        assertThat(this.manager.evictIdle(this.clock.instant())).isZero();

        assertThat(this.manager.findByRequestId(Caller.UNIDENTIFIED, "req-9")).containsSame(session);
        this.clock.advance(IDLE_TIMEOUT.minusMillis(1));
        assertThat(this.manager.evictIdle(this.clock.instant())).isZero();

        this.clock.advance(Duration.ofMillis(1));
        assertThat(this.manager.evictIdle(this.clock.instant())).isEqualTo(1);
        assertThatExceptionOfType(GatewayException.class).isThrownBy(() -> this.manager.require(session.id(),
                Caller.UNIDENTIFIED).block())
            .satisfies((ex) -> assertThat(ex.errorCode().code()).isEqualTo(-32001));
        assertThat(this.manager.findByRequestId(Caller.UNIDENTIFIED, "req-9")).isEmpty();
    }

    @Test
    void evictionAlsoFailsQueuedRunsThatWaitedLongerThanTheMaxWait() {
        StreamSession running = this.manager.start(endless("AHEAD"), "rpc", Caller.UNIDENTIFIED, null)
            .block()
            .session();
        Disposable watchRunning = running.events(-1).subscribe();
        StreamSession waiting = this.manager.start(quick("BEHIND"), "rpc", Caller.UNIDENTIFIED, null).block().session();
        Disposable watchWaiting = waiting.events(-1).subscribe();

        this.clock.advance(Duration.ofMinutes(2).plusSeconds(1));
        assertThat(this.manager.evictIdle(this.clock.instant())).isZero();

        assertThat(waiting.state()).isEqualTo(SessionState.FAILED);
        StreamChunk last = waiting.end().join();
        assertThat(last.finishReason()).isEqualTo("error");
        assertThat(last.error()).isNotNull();
        assertThat(last.error().code()).isEqualTo(ErrorCode.QUEUE_FULL.code());
        assertThat(this.manager.queueDepth()).isZero();
        assertThat(running.state()).isEqualTo(SessionState.RUNNING);
        watchRunning.dispose();
        watchWaiting.dispose();
    }

    @Test
    void atTheSessionLimitTheEndedSessionIdleLongestGivesWay() {
        StreamManager limited = manager(this.runtime, 2, 16, StreamMetrics.NONE);
        StreamSession older = limited.start(quick("ONE"), "rpc", Caller.UNIDENTIFIED, "one").block().session();
        awaitEnd(older);
        this.clock.advance(Duration.ofSeconds(1));
        StreamSession newer = limited.start(quick("TWO"), "rpc", Caller.UNIDENTIFIED, "two").block().session();
        awaitEnd(newer);

        StreamSession third = limited.start(quick("THREE"), "rpc", Caller.UNIDENTIFIED, "three").block().session();

        assertThat(awaitEnd(third).finishReason()).isEqualTo("stop");
        assertThat(limited.find(older.id())).isEmpty();
        assertThat(limited.findByRequestId(Caller.UNIDENTIFIED, "one")).isEmpty();
        assertThat(limited.find(newer.id())).containsSame(newer);
        assertThat(limited.status().activeSessions()).isEqualTo(2);
        assertThat(limited.status().sessionsEvicted()).isEqualTo(1);
    }

    @Test
    void sessionsPastTheLimitAreRefusedWithTooManySessionsWhenEveryOneIsActive() {
        StreamManager limited = manager(this.runtime, 2, 16, StreamMetrics.NONE);
        StreamSession running = limited.start(endless("ONE"), "rpc", Caller.UNIDENTIFIED, null).block().session();
        StreamSession queued = limited.start(quick("TWO"), "rpc", Caller.UNIDENTIFIED, null).block().session();

        assertThatExceptionOfType(GatewayException.class)
            .isThrownBy(() -> limited.start(quick("THREE"), "rpc", Caller.UNIDENTIFIED, "refused").block())
            .satisfies((ex) -> {
                assertThat(ex.errorCode()).isEqualTo(ErrorCode.TOO_MANY_SESSIONS);
                assertThat(ex.errorCode().code()).isEqualTo(-32002);
            })
            .withMessageContaining("rkllm.streams.max-sessions");
        assertThat(limited.status().activeSessions()).isEqualTo(2);
        assertThat(limited.findByRequestId(Caller.UNIDENTIFIED, "refused")).isEmpty();
        assertThat(limited.abort(running)).isTrue();
        assertThat(awaitEnd(queued).finishReason()).isEqualTo("stop");
    }

    @Test
    void aRunPastTheQueueCapacityIsRefusedWithQueueFull() {
        StreamManager small = manager(this.runtime, 256, 1, StreamMetrics.NONE);
        StreamSession running = small.start(endless("RUNNING"), "rpc", Caller.UNIDENTIFIED, null).block().session();
        StreamSession waiting = small.start(endless("WAITING"), "rpc", Caller.UNIDENTIFIED, null).block().session();

        assertThatExceptionOfType(GatewayException.class)
            .isThrownBy(() -> small.start(quick("REFUSED"), "rpc", Caller.UNIDENTIFIED, "refused").block().session())
            .satisfies((ex) -> {
                assertThat(ex.errorCode()).isEqualTo(ErrorCode.QUEUE_FULL);
                assertThat(ex.errorCode().code()).isEqualTo(-32000);
            });
        assertThat(small.status().activeSessions()).isEqualTo(2);
        assertThat(small.queueDepth()).isEqualTo(1);
        assertThat(small.findByRequestId(Caller.UNIDENTIFIED, "refused")).isEmpty();
        assertThat(running.state()).isEqualTo(SessionState.RUNNING);
        assertThat(waiting.queuePosition()).isEqualTo(1);
    }

    @Test
    void aRefusedRunLeavesTheRequestIdOfAnEarlierSessionAlone() {
        StreamManager small = manager(this.runtime, 256, 1, StreamMetrics.NONE);
        StreamSession running = small.start(endless("RUNNING"), "rpc", Caller.UNIDENTIFIED, 1).block().session();
        small.start(endless("WAITING"), "rpc", Caller.UNIDENTIFIED, 2).block().session();

        assertThatExceptionOfType(GatewayException.class)
            .isThrownBy(() -> small.start(quick("REFUSED"), "rpc", Caller.UNIDENTIFIED, 1).block().session())
            .satisfies((ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.QUEUE_FULL));

        assertThat(small.findByRequestId(Caller.UNIDENTIFIED, 1)).containsSame(running);
    }

    @Test
    void aRunOnAnUnavailableRuntimeIsRefusedWithTheReason() {
        RkllmRuntime missing = open(RkllmRuntime.open(Path.of("/nonexistent/librkllmrt.so"), "auto",
                ModelParams.unset(), CallbackObserver.NONE));
        StreamManager unavailable = manager(missing, 256, 16, StreamMetrics.NONE);

        assertThatExceptionOfType(GatewayException.class)
            .isThrownBy(() -> unavailable.start(quick("NOWHERE"), "rpc", Caller.UNIDENTIFIED, null).block().session())
            .satisfies((ex) -> {
                assertThat(ex.errorCode()).isEqualTo(ErrorCode.RUNTIME_UNAVAILABLE);
                assertThat(ex.errorCode().code()).isEqualTo(-32003);
            })
            .withMessageContaining("/nonexistent/librkllmrt.so");
        assertThat(unavailable.status().activeSessions()).isZero();
        assertThat(unavailable.status().sessionsCreated()).isZero();
    }

    @Test
    void aFieldTheLoadedAbiCannotCarryIsRefusedAsAnInvalidParameter() {
        RkllmRuntime v12 = open(Simulator.open(AbiGeneration.V1_2));
        StreamManager older = manager(v12, 256, 16, StreamMetrics.NONE);
        RunRequest perRunSampling = new RunRequest(InputKind.PROMPT, "x" + Simulator.FAST, null, null, 0, "user",
                false, InferMode.GENERATE, false, null,
                new Sampling(null, null, 0.5f, null, null, null, null, null, null), null, null);

        assertThatExceptionOfType(GatewayException.class)
            .isThrownBy(() -> older.start(perRunSampling, "rpc", Caller.UNIDENTIFIED, null).block())
            .satisfies((ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.INVALID_PARAMS))
            .withMessageStartingWith("sampling: ");
        assertThat(older.status().activeSessions()).isZero();
        assertThat(v12.isRunning()).isFalse();
    }

    @Test
    void syntheticTokensStreamThroughTheCallbackPathOnTheTimerThread() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger firstTokens = new AtomicInteger();
        StreamMetrics recording = new StreamMetrics() {

            @Override
            public void firstToken(Duration sinceAccepted) {
                firstTokens.incrementAndGet();
                threads.add(Thread.currentThread().getName());
            }

        };
        StreamManager synthetic = manager(this.runtime, 256, 16, recording);

        StreamSession session = synthetic.startSynthetic(List.of("Hello", " world", "!"), Duration.ofMillis(100),
                Caller.UNIDENTIFIED, null).session();

        StreamChunk last = awaitEnd(session);
        assertThat(session.poll(0L).chunks()).containsExactly(StreamChunk.delta(0, "Hello"),
                StreamChunk.delta(1, " world"), StreamChunk.delta(2, "!"), last);
        assertThat(text(session)).isEqualTo("Hello world!");
        assertThat(last.end()).isTrue();
        assertThat(last.finishReason()).isEqualTo("stop");
        assertThat(last.perf()).isNotNull();
        assertThat(last.perf().generateTokens()).isEqualTo(3);
        assertThat(session.state()).isEqualTo(SessionState.FINISHED);
        assertThat(session.transport()).isEqualTo("test");
        assertThat(synthetic.tokensGenerated()).isEqualTo(3);
        assertThat(firstTokens).hasValue(1);
        assertThat(threads).containsExactly("rkllm-synthetic");
        assertThat(this.runtime.isRunning()).isFalse();
    }

    @Test
    void anInjectedErrorEndsTheSessionAsFailedWithInferenceFailed() {
        StreamSession session = this.manager.start(
                RunRequest.prompt("x" + Simulator.FAST + "[[sim:error_at=2]][[sim:tokens=10]]"), "rpc",
                Caller.UNIDENTIFIED, null).block().session();

        StreamChunk last = awaitEnd(session);

        assertThat(session.state()).isEqualTo(SessionState.FAILED);
        assertThat(last.end()).isTrue();
        assertThat(last.finishReason()).isEqualTo("error");
        assertThat(last.error()).isNotNull();
        assertThat(last.error().code()).isEqualTo(-32004);
        assertThat(last.seq()).isEqualTo(2);
        assertThat(text(session)).startsWith("x");
        assertThat(awaitEnd(this.manager.start(quick("AFTER"), "rpc",
                Caller.UNIDENTIFIED, null).block().session()).finishReason()).isEqualTo("stop");
    }

    @Test
    void findByRequestIdFindsTheSessionStartedWithThatKey() {
        StreamSession byString = this.manager.start(quick("STRING"), "rpc", Caller.UNIDENTIFIED, "req-1")
            .block()
            .session();
        StreamSession byNumber = this.manager.start(quick("NUMBER"), "rpc", Caller.UNIDENTIFIED,
                RpcCall.requestKeyOf(IntNode.valueOf(7))).block()
            .session();

        assertThat(this.manager.findByRequestId(Caller.UNIDENTIFIED, "req-1")).containsSame(byString);
        assertThat(this.manager.findByRequestId(Caller.UNIDENTIFIED, "req-2")).isEmpty();
        assertThat(this.manager.findByRequestId(Caller.UNIDENTIFIED,
                RpcCall.requestKeyOf(LongNode.valueOf(7)))).containsSame(byNumber);
        assertThat(this.manager.findByRequestId(Caller.UNIDENTIFIED,
                RpcCall.requestKeyOf(StringNode.valueOf("7")))).isEmpty();
        List.of(byString, byNumber).forEach(StreamManagerTest::awaitEnd);
    }

    @Test
    void cancellingTheEventsOfAStartedRunAbortsItAsDisconnected() {
        SessionStream started = this.manager.start(endless("GONE"), "rpc", Caller.UNIDENTIFIED, null).block();
        Disposable reader = started.events().subscribe();
        await().atMost(Simulator.timeout()).until(() -> started.session().nextSeq() > 0);

        reader.dispose();

        StreamChunk last = awaitEnd(started.session());
        assertThat(last.finishReason()).isEqualTo("aborted");
        assertThat(last.reason()).isEqualTo("disconnected");
        await().atMost(Simulator.timeout()).until(() -> !this.runtime.isRunning());
    }

    @Test
    void cancellingAnAttachedReaderLeavesTheRunGoing() {
        SessionStream started = this.manager.start(endless("STAYS"), "rpc", Caller.UNIDENTIFIED, null).block();
        SessionStream attached = this.manager.attach(started.id(), -1, Caller.UNIDENTIFIED).block();
        Disposable reader = attached.events().subscribe();
        await().atMost(Simulator.timeout()).until(() -> started.session().nextSeq() > 0);

        reader.dispose();

        long seen = started.session().nextSeq();
        await().atMost(Simulator.timeout()).until(() -> started.session().nextSeq() > seen + 2);
        assertThat(started.session().state()).isEqualTo(SessionState.RUNNING);
        assertThat(this.manager.abort(started.session())).isTrue();
        assertThat(awaitEnd(started.session()).reason()).isNull();
    }

    @Test
    void attachingToAnUnknownSessionIsSessionNotFound() {
        assertThatExceptionOfType(GatewayException.class).isThrownBy(() -> this.manager.attach("nope", -1,
                Caller.UNIDENTIFIED).block())
            .satisfies((ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.SESSION_NOT_FOUND));
    }

    @Test
    void startDoesNothingUntilSubscribedAndRefusesAsItsError() {
        Mono<SessionStream> later = this.manager.start(quick("LATER"), "rpc", Caller.UNIDENTIFIED, "later");

        assertThat(this.manager.sessions()).isEmpty();
        assertThat(this.manager.findByRequestId(Caller.UNIDENTIFIED, "later")).isEmpty();
        assertThat(this.manager.status().sessionsCreated()).isZero();

        // Checked when subscribed to: the service shut down since the answer was asked for.
        this.manager.shutdown(Duration.ZERO);
        StepVerifier.create(later)
            .expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOfSatisfying(GatewayException.class,
                    (refused) -> assertThat(refused.errorCode()).isEqualTo(ErrorCode.RUNTIME_UNAVAILABLE)))
            .verify(Simulator.timeout());
        assertThat(this.manager.sessions()).isEmpty();

        this.manager.reopen();
        StreamSession session = later.block().session();
        assertThat(this.manager.findByRequestId(Caller.UNIDENTIFIED, "later")).containsSame(session);
        assertThat(awaitEnd(session).finishReason()).isEqualTo("stop");
    }

    @Test
    void aSharedStartCancelledBeforeTheQueueTookItLeavesNoSessionBehind() {
        PendingSharedRuns runs = new PendingSharedRuns();
        StreamManager shared = sharedManager(runs);

        Disposable client = shared.start(quick("GONE"), "rpc", Caller.UNIDENTIFIED, "gone").subscribe();
        StreamSession session = runs.feed.session();
        assertThat(shared.sessions()).containsExactly(session);

        client.dispose();

        assertThat(shared.sessions()).isEmpty();
        assertThat(shared.findByRequestId(Caller.UNIDENTIFIED, "gone")).isEmpty();
        assertThat(shared.queueDepth()).isZero();
        assertThat(awaitEnd(session).reason()).isEqualTo("disconnected");
        assertThat(session.state()).isEqualTo(SessionState.ABORTED);
        // Should the store queue the job all the same, its run is aborted as soon as the session learns of it.
        List<String> aborts = new CopyOnWriteArrayList<>();
        runs.feed.abortsTo((reason, cause) -> aborts.add(reason + " " + cause));
        await().atMost(Simulator.timeout()).until(() -> !aborts.isEmpty());
        assertThat(aborts).containsExactly("aborted disconnected");
    }

    @Test
    void aSharedSessionOfThisGatewayIsFoundWithoutAskingTheSharedStore() {
        PendingSharedRuns runs = new PendingSharedRuns();
        runs.submitted.tryEmitEmpty();
        StreamManager shared = sharedManager(runs);
        StreamSession session = shared.start(quick("HERE"), "rpc", Caller.UNIDENTIFIED, null).block().session();

        assertThat(shared.require(session.id(), Caller.UNIDENTIFIED).block()).isSameAs(session);
        assertThat(runs.lookups).hasValue(0);

        assertThatExceptionOfType(GatewayException.class)
            .isThrownBy(() -> shared.require("elsewhere", Caller.UNIDENTIFIED).block())
            .satisfies((ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.SESSION_NOT_FOUND));
        assertThat(runs.lookups).hasValue(1);
    }

    private StreamManager sharedManager(SharedRuns runs) {
        return new StreamManager(ModelHost.fixed(this.runtime),
                new StreamsProperties(256, 4096, IDLE_TIMEOUT, Duration.ofSeconds(5), Duration.ofSeconds(15)),
                new QueueProperties(16, Duration.ofMinutes(2)), RunLimits.NONE, this.clock, StreamMetrics.NONE,
                this.timer, runs);
    }

    /** A shared store whose submits complete when {@link #submitted} does, and which has no other gateway's session. */
    private static final class PendingSharedRuns implements SharedRuns {

        final Sinks.Empty<Void> submitted = Sinks.empty();

        final AtomicInteger lookups = new AtomicInteger();

        volatile SessionFeed feed;

        @Override
        public Mono<Void> submit(RunRequest request, SessionFeed feed) {
            this.feed = feed;
            return this.submitted.asMono();
        }

        @Override
        public Mono<SharedSession> find(String id) {
            return Mono.fromRunnable(this.lookups::incrementAndGet);
        }

        @Override
        public Mono<Void> follow(SessionFeed feed) {
            throw new AssertionError("no session of another gateway is followed");
        }

        @Override
        public @Nullable String unavailable() {
            return null;
        }

        @Override
        public List<BoardStatus> boards() {
            return List.of();
        }

    }

}
