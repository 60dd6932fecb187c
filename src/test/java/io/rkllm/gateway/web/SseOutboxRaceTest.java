package io.rkllm.gateway.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.netty.channel.DefaultEventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.subscriber.TestSubscriber;
import reactor.test.util.RaceTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link SseOutbox} on a real event loop while events arrive on another thread, as the native callback thread
 * delivers them: everything goes out once and in order, and a connection that goes while events arrive cancels them
 * and writes nothing more.
 */
class SseOutboxRaceTest {

    private static final int EVENTS = 2_000;

    private static final String ALL = IntStream.range(0, EVENTS).mapToObj((i) -> i + ";").collect(Collectors.joining());

    private final DefaultEventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stopLoop() {
        this.loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private static Flux<byte[]> eventsOnAnotherThread(int count, AtomicBoolean cancelled) {
        return Flux.range(0, count)
            .map((i) -> (i + ";").getBytes(StandardCharsets.US_ASCII))
            .subscribeOn(Schedulers.parallel())
            .doOnCancel(() -> cancelled.set(true));
    }

    private SseOutbox<byte[]> outbox(Flux<byte[]> events) {
        return new SseOutbox<>(null, events, Function.identity(), this.loop, DefaultDataBufferFactory.sharedInstance,
                Duration.ofHours(1));
    }

    private static String text(TestSubscriber<DataBuffer> subscriber) {
        return subscriber.getReceivedOnNext()
            .stream()
            .map((buffer) -> buffer.toString(StandardCharsets.US_ASCII))
            .collect(Collectors.joining());
    }

    @RepeatedTest(20)
    void eventsArrivingOnAnotherThreadGoOutOnceAndInOrder() {
        TestSubscriber<DataBuffer> connection = TestSubscriber.create();

        outbox(eventsOnAnotherThread(EVENTS, new AtomicBoolean())).subscribe(connection);

        await().atMost(Duration.ofSeconds(10)).until(connection::isTerminated);
        assertThat(connection.expectTerminalSignal().isOnComplete()).isTrue();
        assertThat(text(connection)).isEqualTo(ALL);
    }

    @RepeatedTest(20)
    void aConnectionThatGoesWhileEventsArriveCancelsThemAndGetsNothingAfter() {
        AtomicBoolean cancelled = new AtomicBoolean();
        TestSubscriber<DataBuffer> connection = TestSubscriber.create();
        outbox(eventsOnAnotherThread(Integer.MAX_VALUE, cancelled)).subscribe(connection);
        await().atMost(Duration.ofSeconds(10)).until(() -> !connection.getReceivedOnNext().isEmpty());

        RaceTestUtils.race(connection::cancel, () -> this.loop.submit(() -> {
        }).syncUninterruptibly());

        await().atMost(Duration.ofSeconds(10)).untilTrue(cancelled);
        this.loop.submit(() -> {
        }).syncUninterruptibly();
        int received = connection.getReceivedOnNext().size();
        this.loop.submit(() -> {
        }).syncUninterruptibly();
        assertThat(connection.getReceivedOnNext()).as("written after the connection went").hasSize(received);
        String prefix = text(connection);
        String[] numbers = prefix.split(";");
        for (int i = 0; i < numbers.length; i++) {
            assertThat(numbers[i]).as("event %d written", i).isEqualTo(Integer.toString(i));
        }
        assertThat(connection.isTerminated()).isFalse();
    }

}
