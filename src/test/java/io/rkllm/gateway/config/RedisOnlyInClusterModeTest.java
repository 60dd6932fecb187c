package io.rkllm.gateway.config;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole service in the local mode builds no Redis client at all; the filter lets Spring Boot's Redis
 * auto-configurations in only in the cluster mode (whose tests then run on them, see {@code ClusterGateway}).
 */
@SpringBootTest
class RedisOnlyInClusterModeTest {

    private static final String[] REDIS = { DataRedisAutoConfiguration.class.getName(),
        DataRedisReactiveAutoConfiguration.class.getName(), "org.example.OtherAutoConfiguration" };

    @Autowired
    private ApplicationContext context;

    @Test
    void theLocalServiceHasNoRedisConnectionFactoryOrTemplate() {
        assertThat(this.context.getBeanNamesForType(ReactiveRedisConnectionFactory.class)).isEmpty();
        assertThat(this.context.getBeanNamesForType(ReactiveStringRedisTemplate.class)).isEmpty();
    }

    @Test
    void letsRedisInOnlyInTheClusterMode() {
        assertThat(filter("local").match(REDIS, null)).containsExactly(false, false, true);
        assertThat(filter(null).match(REDIS, null)).containsExactly(false, false, true);
        assertThat(filter("redis").match(REDIS, null)).containsExactly(true, true, true);
    }

    private static RedisOnlyInClusterMode filter(String mode) {
        MockEnvironment environment = new MockEnvironment();
        if (mode != null) {
            environment.setProperty("rkllm.cluster.mode", mode);
        }
        RedisOnlyInClusterMode filter = new RedisOnlyInClusterMode();
        filter.setEnvironment(environment);
        return filter;
    }

}
