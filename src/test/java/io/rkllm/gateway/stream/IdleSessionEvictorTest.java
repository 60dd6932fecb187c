package io.rkllm.gateway.stream;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.rkllm.gateway.config.LimitsProperties;
import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.config.StreamConfiguration;
import io.rkllm.gateway.config.StreamsProperties;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import reactor.core.Disposable;
import reactor.test.util.RaceTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link IdleSessionEvictor}: evicts by the injected clock, never by the wall clock. */
class IdleSessionEvictorTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    /** Long before the wall clock: an evictor reading the system clock would find everything idle at once. */
    private final MutableClock clock = new MutableClock(Instant.parse("2000-01-01T00:00:00Z"));

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private final RkllmRuntime runtime = RkllmRuntime.open(Path.of("/nonexistent/librkllmrt.so"), "auto",
            ModelParams.unset(), CallbackObserver.NONE);

    private final StreamsProperties properties = new StreamsProperties(256, 4096, IDLE_TIMEOUT,
            Duration.ofSeconds(5), Duration.ofSeconds(15));

    private final QueueProperties queue = new QueueProperties(16, Duration.ofMinutes(2));

    private final StreamManager manager = new StreamManager(this.runtime, this.properties, this.queue, this.clock,
            StreamMetrics.NONE, this.timer);

    private final IdleSessionEvictor evictor = new IdleSessionEvictor(this.manager, this.properties, this.clock);

    @AfterEach
    void close() {
        this.runtime.close();
        this.timer.shutdownNow();
    }

    private StreamSession finishedSession() {
        StreamSession session = this.manager.startSynthetic(List.of("a"), Duration.ZERO, Caller.UNIDENTIFIED,
                null).session();
        session.end().orTimeout(10, TimeUnit.SECONDS).join();
        return session;
    }

    @Test
    void evictsIdleSessionsByItsInjectedClock() {
        StreamSession session = finishedSession();

        this.evictor.evictIdle();
        assertThat(this.manager.sessions()).containsExactly(session);

        this.clock.advance(IDLE_TIMEOUT.minusMillis(1));
        this.evictor.evictIdle();
        assertThat(this.manager.sessions()).containsExactly(session);

        this.clock.advance(Duration.ofMillis(1));
        this.evictor.evictIdle();
        assertThat(this.manager.sessions()).isEmpty();
        assertThat(this.manager.status().sessionsEvicted()).isEqualTo(1);
    }

    @Test
    void leavesSessionsWithASubscriberAlone() {
        StreamSession idle = finishedSession();
        StreamSession watched = this.manager.startSynthetic(List.of("a", "b"), Duration.ofHours(1),
                Caller.UNIDENTIFIED, null).session();
        Disposable subscriber = watched.events(-1).subscribe();

        this.clock.advance(IDLE_TIMEOUT.multipliedBy(10));
        this.evictor.evictIdle();

        assertThat(this.manager.sessions()).containsExactly(watched);
        assertThat(watched.state()).isEqualTo(SessionState.RUNNING);
        assertThat(idle.state()).isEqualTo(SessionState.FINISHED);
        subscriber.dispose();
    }

    /** The interval comes from the bound settings record: nothing in the environment names it here. */
    @Test
    void theApplicationSchedulesEvictionAtTheBoundInterval() {
        Duration interval = Duration.ofMillis(750);
        new ApplicationContextRunner()
            // As SpringApplication does: StreamConfiguration reads a Duration from a @Value default.
            .withInitializer((context) -> context.getBeanFactory()
                .setConversionService(ApplicationConversionService.getSharedInstance()))
            .withUserConfiguration(StreamConfiguration.class)
            .withBean(ModelHost.class, () -> ModelHost.fixed(this.runtime))
            .withBean(StreamsProperties.class, () -> new StreamsProperties(256, 4096, IDLE_TIMEOUT, interval,
                    Duration.ofSeconds(15)))
            .withBean(QueueProperties.class, () -> this.queue)
            .withBean(LimitsProperties.class,
                    () -> Binder.get(new StandardEnvironment()).bindOrCreate("rkllm.limits", LimitsProperties.class))
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBeansOfType(ScheduledTaskHolder.class).values())
                    .flatMap(ScheduledTaskHolder::getScheduledTasks)
                    .singleElement()
                    .extracting(ScheduledTask::getTask)
                    .isInstanceOfSatisfying(FixedDelayTask.class,
                            (task) -> assertThat(task.getIntervalDuration()).isEqualTo(interval));
            });
    }

    /**
     * Two evictions at once (the scheduled one and any other caller) see the same idle sessions: only the one that
     * takes a session out of the map counts it, so the count is the number of sessions that went.
     */
    @Test
    void concurrentEvictionsCountEachSessionOnce() {
        int perRound = 100;
        // The two evictions overlap in some rounds only: enough rounds make a doubled count show.
        for (int round = 1; round <= 100; round++) {
            for (int i = 0; i < perRound; i++) {
                finishedSession();
            }
            this.clock.advance(IDLE_TIMEOUT);

            RaceTestUtils.race(this.evictor::evictIdle, this.evictor::evictIdle);

            assertThat(this.manager.sessions()).isEmpty();
            assertThat(this.manager.status().sessionsEvicted()).as("evictions counted after round %d", round)
                .isEqualTo((long) round * perRound);
        }
    }

}
