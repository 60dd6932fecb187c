package io.rkllm.gateway.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.channel.embedded.EmbeddedChannel;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.test.publisher.TestPublisher;
import reactor.test.subscriber.TestSubscriber;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SseOutbox} on an embedded event loop whose tasks and clock the test runs by hand: what arrives between two
 * turns of the loop goes out as one buffer, demand and the end are honoured, heartbeats come from the loop's clock.
 */
class SseOutboxTest {

    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final EmbeddedChannel channel = new EmbeddedChannel();

    private final TestPublisher<byte[]> events = TestPublisher.create();

    @AfterEach
    void closeChannel() {
        this.channel.finishAndReleaseAll();
    }

    private SseOutbox<byte[]> outbox() {
        return outbox(null);
    }

    private SseOutbox<byte[]> outbox(byte @Nullable [] preamble) {
        this.channel.freezeTime();
        return new SseOutbox<>(preamble, this.events, Function.identity(), this.channel.eventLoop(),
                DefaultDataBufferFactory.sharedInstance, HEARTBEAT);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(TestSubscriber<DataBuffer> subscriber) {
        return subscriber.getReceivedOnNext().stream().map((buffer) -> buffer.toString(StandardCharsets.UTF_8)).toList();
    }

    @Test
    void eventsThatArriveBetweenTwoTurnsOfTheLoopGoOutAsOneBuffer() {
        TestSubscriber<DataBuffer> connection = TestSubscriber.create();
        outbox().subscribe(connection);
        this.events.next(bytes("a\n\n"), bytes("b\n\n"), bytes("c\n\n"));
        assertThat(texts(connection)).as("nothing is written off the loop").isEmpty();

        this.channel.runPendingTasks();
        assertThat(texts(connection)).containsExactly("a\n\nb\n\nc\n\n");

        this.events.next(bytes("d\n\n"));
        this.channel.runPendingTasks();
        assertThat(texts(connection)).containsExactly("a\n\nb\n\nc\n\n", "d\n\n");
    }

    @Test
    void thePreambleGoesOutAtOnceAndBeforeAnyEvent() {
        TestSubscriber<DataBuffer> connection = TestSubscriber.create();
        outbox(bytes("event: session\n\n")).subscribe(connection);
        this.channel.runPendingTasks();
        assertThat(texts(connection)).containsExactly("event: session\n\n");

        TestSubscriber<DataBuffer> another = TestSubscriber.create();
        TestPublisher<byte[]> quick = TestPublisher.create();
        new SseOutbox<>(bytes("p\n\n"), quick, Function.identity(), this.channel.eventLoop(),
                DefaultDataBufferFactory.sharedInstance, HEARTBEAT).subscribe(another);
        quick.next(bytes("a\n\n"));
        quick.complete();
        this.channel.runPendingTasks();
        assertThat(texts(another)).containsExactly("p\n\n", "a\n\n");
        assertThat(another.isTerminatedComplete()).isTrue();
    }

    @Test
    void withoutDemandEventsWaitAndTheEndFollowsTheLastOfThem() {
        TestSubscriber<DataBuffer> connection = TestSubscriber.builder().initialRequest(0).build();
        outbox().subscribe(connection);
        this.events.next(bytes("a\n\n"), bytes("b\n\n"));
        this.events.complete();
        this.channel.runPendingTasks();
        assertThat(texts(connection)).isEmpty();
        assertThat(connection.isTerminated()).as("the end waits for the events before it").isFalse();

        connection.request(1);
        this.channel.runPendingTasks();
        assertThat(texts(connection)).containsExactly("a\n\nb\n\n");
        assertThat(connection.isTerminatedComplete()).isTrue();
    }

    @Test
    void aKeepAliveCommentGoesOutEveryHeartbeatUntilTheEnd() {
        TestSubscriber<DataBuffer> connection = TestSubscriber.create();
        outbox().subscribe(connection);
        this.channel.advanceTimeBy(HEARTBEAT.toMillis() - 1, TimeUnit.MILLISECONDS);
        this.channel.runPendingTasks();
        assertThat(texts(connection)).isEmpty();

        this.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        this.channel.runPendingTasks();
        this.channel.advanceTimeBy(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        this.channel.runPendingTasks();
        assertThat(texts(connection)).containsExactly(": keep-alive\n\n", ": keep-alive\n\n");

        this.events.complete();
        this.channel.runPendingTasks();
        this.channel.advanceTimeBy(HEARTBEAT.toMillis() * 3, TimeUnit.MILLISECONDS);
        this.channel.runPendingTasks();
        assertThat(connection.isTerminatedComplete()).isTrue();
        assertThat(texts(connection)).hasSize(2);
    }

    @Test
    void aConnectionThatGoesCancelsItsEventsAndItsHeartbeat() {
        TestSubscriber<DataBuffer> connection = TestSubscriber.create();
        outbox().subscribe(connection);
        connection.cancel();
        this.events.assertCancelled();
        this.channel.advanceTimeBy(HEARTBEAT.toMillis() * 3, TimeUnit.MILLISECONDS);
        this.channel.runPendingTasks();
        assertThat(texts(connection)).isEmpty();
    }

    @Test
    void atMostAPrefetchOfEventsIsAskedForAheadOfWhatWasWritten() {
        TestSubscriber<DataBuffer> connection = TestSubscriber.builder().initialRequest(0).build();
        outbox().subscribe(connection);
        this.events.assertMinRequested(256).assertMaxRequested(256);
        for (int i = 0; i < 256; i++) {
            this.events.next(bytes("x"));
        }
        this.channel.runPendingTasks();
        this.events.assertMaxRequested(0);

        connection.request(1);
        this.channel.runPendingTasks();
        assertThat(texts(connection)).singleElement().asString().hasSize(256);
        this.events.assertMinRequested(256);
    }

    @Test
    void anErrorOfTheEventsEndsTheConnectionAfterWhatCameBefore() {
        TestSubscriber<DataBuffer> connection = TestSubscriber.create();
        outbox().subscribe(connection);
        this.events.next(bytes("a\n\n"));
        this.events.error(new IllegalStateException("boom"));
        this.channel.runPendingTasks();
        assertThat(texts(connection)).containsExactly("a\n\n");
        assertThat(connection.expectTerminalError()).hasMessage("boom");
    }

}
