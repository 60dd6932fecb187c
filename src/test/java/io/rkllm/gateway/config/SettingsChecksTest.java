package io.rkllm.gateway.config;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The settings records as Spring binds them: their defaults, and a bad value refused at start with a message that
 * names the key, instead of a service that starts and misbehaves.
 */
class SettingsChecksTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withUserConfiguration(Settings.class);

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        this.runner.run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(QueueProperties.class))
                .isEqualTo(new QueueProperties(16, Duration.ofMinutes(2)));
            StreamsProperties streams = context.getBean(StreamsProperties.class);
            assertThat(streams.maxSessions()).isEqualTo(256);
            assertThat(streams.replayLimit()).isEqualTo(4096);
            assertThat(streams.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(streams.evictionInterval()).isEqualTo(Duration.ofSeconds(5));
            assertThat(streams.heartbeat()).isEqualTo(Duration.ofSeconds(15));
            LimitsProperties limits = context.getBean(LimitsProperties.class);
            assertThat(limits.maxBatch()).isEqualTo(32);
            assertThat(limits.maxRequestBytes()).isEqualTo(DataSize.ofMegabytes(1));
            assertThat(context.getBean(RkllmProperties.class).abi()).isEqualTo("auto");
            assertThat(context.getBean(ModelsProperties.class)).isEqualTo(new ModelsProperties(1,
                    Duration.ofMillis(-1), DataSize.ofMegabytes(512), Path.of("/proc/meminfo"), Duration.ofSeconds(5)));
        });
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({ "rkllm.queue.capacity, -1, rkllm.queue.capacity must not be negative",
            "rkllm.queue.max-wait, 0s, rkllm.queue.max-wait must be positive",
            "rkllm.streams.max-sessions, 0, rkllm.streams.max-sessions must be at least 1",
            "rkllm.streams.replay-limit, 0, rkllm.streams.replay-limit must be at least 1",
            "rkllm.streams.idle-timeout, -5s, rkllm.streams.idle-timeout must be positive",
            "rkllm.streams.eviction-interval, 0ms, rkllm.streams.eviction-interval must be positive",
            "rkllm.streams.heartbeat, 0s, rkllm.streams.heartbeat must be positive",
            "rkllm.limits.max-batch, 0, rkllm.limits.max-batch must be at least 1",
            "rkllm.limits.max-request-bytes, 100B, rkllm.limits.max-request-bytes must be at least 1KB",
            "rkllm.abi, 1.1, 'rkllm.abi must be auto, 1.2 or 1.3' ",
            "rkllm.models.max-resident, 0, rkllm.models.max-resident must be 1-8",
            "rkllm.models.memory-margin, -1MB, rkllm.models.memory-margin must not be negative",
            "rkllm.models.scan-interval, 0s, rkllm.models.scan-interval must be positive" })
    void aBadValueStopsTheStartWithTheKeyNamed(String key, String value, String message) {
        this.runner.withPropertyValues(key + "=" + value).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(message.strip());
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({ QueueProperties.class, StreamsProperties.class, LimitsProperties.class,
            RkllmProperties.class, ModelsProperties.class })
    static class Settings {

    }

}
