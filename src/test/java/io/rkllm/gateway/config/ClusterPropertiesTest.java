package io.rkllm.gateway.config;

import java.net.URI;
import java.time.Duration;

import io.rkllm.gateway.cluster.ClusterRedis;
import io.rkllm.gateway.stream.SharedRuns;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rkllm.cluster.*} binds with its defaults (the local mode), refuses what it cannot use at start-up, and the
 * local mode builds nothing of the cluster.
 */
class ClusterPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withUserConfiguration(Bound.class, ClusterConfiguration.class);

    @Test
    void theLocalModeIsTheDefaultAndBuildsNothingOfTheCluster() {
        this.runner.run((context) -> {
            ClusterProperties cluster = context.getBean(ClusterProperties.class);
            assertThat(cluster.mode()).isEqualTo("local");
            assertThat(cluster.redisUrl()).isEqualTo(URI.create("redis://localhost:6379"));
            assertThat(cluster.lease()).isEqualTo(Duration.ofSeconds(10));
            assertThat(context).doesNotHaveBean(ClusterRedis.class).doesNotHaveBean(SharedRuns.class);
        });
    }

    @Test
    void takesTheRedisModeItsUrlAndLease() {
        this.runner.withPropertyValues("rkllm.cluster.redis-url=redis://redis.rkllm:6380/1", "rkllm.cluster.lease=3s")
            .run((context) -> {
                ClusterProperties cluster = context.getBean(ClusterProperties.class);
                assertThat(cluster.redisUrl().getPort()).isEqualTo(6380);
                assertThat(cluster.lease()).isEqualTo(Duration.ofSeconds(3));
            });
    }

    @Test
    void refusesAnUnknownMode() {
        this.runner.withPropertyValues("rkllm.cluster.mode=etcd")
            .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                .hasMessage("rkllm.cluster.mode must be local or redis, got 'etcd'"));
    }

    @Test
    void refusesAUrlThatIsNotRedis() {
        this.runner.withPropertyValues("rkllm.cluster.redis-url=http://localhost:6379")
            .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                .hasMessageContaining("must be a redis:// or rediss:// URL"));
    }

    @Test
    void refusesALeaseUnderASecond() {
        this.runner.withPropertyValues("rkllm.cluster.lease=200ms")
            .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                .hasMessage("rkllm.cluster.lease must be at least 1s, got PT0.2S"));
    }

    @EnableConfigurationProperties(ClusterProperties.class)
    static class Bound {

    }

}
