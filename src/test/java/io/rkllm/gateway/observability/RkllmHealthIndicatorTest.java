package io.rkllm.gateway.observability;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.config.StreamsProperties;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.Simulator;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RkllmHealthIndicator} over a real runtime: on the simulator, without a library, and after close. */
class RkllmHealthIndicatorTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_3);

    @AfterEach
    void close() {
        this.runtime.close();
        this.timer.shutdownNow();
    }

    @Test
    void upWithLibraryAbiVersionModelAndLoad() {
        Health health = indicator().health().block(Duration.ofSeconds(10));

        assertThat(health).isNotNull();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("library", Simulator.library(AbiGeneration.V1_3).toString())
            .containsEntry("abi", "1.3")
            .containsEntry("version", "1.3.0")
            .containsEntry("model", Simulator.model().toString())
            .containsEntry("state", "ready")
            .containsEntry("busy", false)
            .containsEntry("queue_depth", 0)
            .doesNotContainKeys("reason", "running_session");
    }

    @Test
    void downWithTheReasonWhenTheLibraryIsMissing() {
        this.runtime.close();
        this.runtime = RkllmRuntime.open(Path.of("/nonexistent/librkllmrt.so"), "auto",
                ModelParams.forModel(Simulator.model().toString()), CallbackObserver.NONE);

        Health health = indicator().health().block(Duration.ofSeconds(10));

        assertThat(health).isNotNull();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("state", "unavailable")
            .containsEntry("library", "/nonexistent/librkllmrt.so")
            .containsEntry("busy", false)
            .doesNotContainKeys("abi", "version");
        assertThat((String) health.getDetails().get("reason"))
            .startsWith("no runtime library at /nonexistent/librkllmrt.so");
    }

    @Test
    void downOnceTheRuntimeIsClosed() {
        this.runtime.close();

        Health health = indicator().health().block(Duration.ofSeconds(10));

        assertThat(health).isNotNull();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("state", "closed")
            .containsEntry("reason", "the runtime was closed");
    }

    @Test
    void theNativeCheckRunsOffTheSubscribingThread() {
        StepVerifier.create(indicator().health().map((health) -> Thread.currentThread().getName()))
            .assertNext((thread) -> assertThat(thread).startsWith("boundedElastic-"))
            .expectComplete()
            .verify(Duration.ofSeconds(10));
    }

    @Test
    void aCheckThatFailsAnswersDownWithTheErrorInsteadOfFailing() {
        StreamManager failing = new StreamManager(this.runtime, streams(), queue(), Clock.systemUTC(),
                StreamMetrics.NONE, this.timer) {

            @Override
            public int queueDepth() {
                throw new IllegalStateException("queue unreadable");
            }

        };

        Health health = new RkllmHealthIndicator(this.runtime, failing, null, "configured").health()
            .block(Duration.ofSeconds(10));

        assertThat(health).isNotNull();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("error",
                "java.lang.IllegalStateException: queue unreadable");
    }

    private RkllmHealthIndicator indicator() {
        StreamManager manager = new StreamManager(this.runtime, streams(), queue(), Clock.systemUTC(),
                StreamMetrics.NONE, this.timer);
        return new RkllmHealthIndicator(this.runtime, manager, null, "configured");
    }

    private static StreamsProperties streams() {
        return new StreamsProperties(8, 64, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(15));
    }

    private static QueueProperties queue() {
        return new QueueProperties(4, Duration.ofMinutes(2));
    }

}
