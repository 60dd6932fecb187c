package io.rkllm.gateway.config;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.rkllm.gateway.stream.IdleSessionEvictor;
import io.rkllm.gateway.stream.ModelHost;
import io.rkllm.gateway.stream.RunLimits;
import io.rkllm.gateway.stream.SharedRuns;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamMetrics;
import io.rkllm.gateway.stream.StreamShutdown;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Builds the stream manager (over the cluster's shared runs when there is one) and its idle-session evictor. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class StreamConfiguration {

    /** All time in the stream layer comes from here, so that tests can move it. */
    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Paces synthetic token streams and ends finished runs' sessions off the runtime's worker, in order. */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService streamTimer() {
        return Executors.newSingleThreadScheduledExecutor((task) -> {
            Thread thread = new Thread(task, "rkllm-stream");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** What a client's runs may do: the stream manager counts it here, the shared queue for the whole cluster. */
    @Bean
    RunLimits runLimits(LimitsProperties limits) {
        return new RunLimits(limits.maxQueuedPerClient(), limits.requestsPerMinute(),
                limits.maxPromptBytes().toBytes());
    }

    @Bean
    StreamManager streamManager(ModelHost models, StreamsProperties streams, QueueProperties queue,
            RunLimits runLimits, Clock clock, ObjectProvider<StreamMetrics> metrics,
            ScheduledExecutorService streamTimer, ObjectProvider<SharedRuns> shared) {
        return new StreamManager(models, streams, queue, runLimits, clock,
                metrics.getIfAvailable(() -> StreamMetrics.NONE), streamTimer, shared.getIfAvailable());
    }

    @Bean
    IdleSessionEvictor idleSessionEvictor(StreamManager manager, StreamsProperties streams, Clock clock) {
        return new IdleSessionEvictor(manager, streams, clock);
    }

    /** Half the shutdown phase's time for ending streams; the web server and the runtime need the rest. */
    @Bean
    StreamShutdown streamShutdown(StreamManager manager,
            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration phaseTimeout) {
        return new StreamShutdown(manager, phaseTimeout.dividedBy(2));
    }

}
