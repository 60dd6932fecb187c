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

    private static final String HEX = "cc6ad95aec96d213cb721e296d7db940a8d57eed4fc3a1638972b707bf46b952";

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
            assertThat(limits.maxQueuedPerClient()).isEqualTo(4);
            assertThat(limits.requestsPerMinute()).isZero();
            assertThat(limits.maxDepth()).isEqualTo(64);
            assertThat(limits.maxIdLength()).isEqualTo(256);
            assertThat(limits.maxPromptBytes()).isEqualTo(DataSize.ofKilobytes(256));
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
            "rkllm.limits.max-queued-per-client, -1, rkllm.limits.max-queued-per-client must not be negative",
            "rkllm.limits.requests-per-minute, -1, rkllm.limits.requests-per-minute must not be negative",
            "rkllm.limits.max-depth, 4, rkllm.limits.max-depth must be at least 8",
            "rkllm.limits.max-id-length, 8, rkllm.limits.max-id-length must be at least 16",
            "rkllm.limits.max-prompt-bytes, 0B, rkllm.limits.max-prompt-bytes must be positive",
            "rkllm.abi, 1.1, 'rkllm.abi must be auto, 1.2 or 1.3' ",
            "rkllm.models.max-resident, 0, rkllm.models.max-resident must be 1-8",
            "rkllm.models.memory-margin, -1MB, rkllm.models.memory-margin must not be negative",
            "rkllm.models.scan-interval, 0s, rkllm.models.scan-interval must be positive",
            "rkllm.security.stream-tokens.ttl, 0s, rkllm.security.stream-tokens.ttl must be positive",
            "rkllm.security.stream-tokens.secret, too-short, rkllm.security.stream-tokens.secret must be at least 32" })
    void aBadValueStopsTheStartWithTheKeyNamed(String key, String value, String message) {
        this.runner.withPropertyValues(key + "=" + value).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(message.strip());
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a key without a name | api-keys[0].key=k1 | every key needs a name",
            "a key and its digest | api-keys[0].name=a,api-keys[0].key=k1,api-keys[0].key-sha256=" + HEX
                    + " | needs exactly one of key and key-sha256",
            "neither | api-keys[0].name=a | needs exactly one of key and key-sha256",
            "a digest that is not hex | api-keys[0].name=a,api-keys[0].key-sha256=xyz | must be 64 hex digits",
            "one name twice | api-keys[0].name=a,api-keys[0].key=k1,api-keys[1].name=a,api-keys[1].key=k2"
                    + " | the name 'a' is given twice",
            "one key twice | api-keys[0].name=a,api-keys[0].key=k1,api-keys[1].name=b,api-keys[1].key=k1"
                    + " | key 'b' has the same key as another one",
            "a role nobody has | api-keys[0].name=a,api-keys[0].key=k1,api-keys[0].role=root | role" })
    void aBadApiKeyStopsTheStartWithoutShowingTheKey(String name, String settings, String message) {
        String[] pairs = settings.strip().split(",");
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = "rkllm.security." + pairs[i];
        }
        this.runner.withPropertyValues(pairs).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining(message.strip());
            assertThat(context.getStartupFailure().toString()).doesNotContain("k1").doesNotContain("k2");
        });
    }

    @Test
    void apiKeysBindWithTheirRoleAndNoKeyMeansOpen() {
        this.runner.run((context) -> assertThat(context.getBean(SecurityProperties.class).apiKeys()).isEmpty());
        this.runner.withPropertyValues("rkllm.security.api-keys[0].name=ops", "rkllm.security.api-keys[0].key=k1",
                "rkllm.security.api-keys[0].role=admin", "rkllm.security.api-keys[1].name=web",
                "rkllm.security.api-keys[1].key-sha256=" + HEX.toUpperCase()).run((context) -> {
                    SecurityProperties security = context.getBean(SecurityProperties.class);
                    assertThat(security.apiKeys()).extracting(SecurityProperties.ApiKey::role)
                        .containsExactly(SecurityProperties.Role.ADMIN, SecurityProperties.Role.CLIENT);
                    assertThat(security.apiKeys().get(1).keySha256()).isEqualTo(HEX);
                    assertThat(security.toString()).doesNotContain("k1");
                    assertThat(security.streamTokens().ttl()).isEqualTo(Duration.ofMinutes(10));
                });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({ QueueProperties.class, StreamsProperties.class, LimitsProperties.class,
            RkllmProperties.class, ModelsProperties.class, SecurityProperties.class })
    static class Settings {

    }

}
