package io.rkllm.gateway.config;

import java.util.Set;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Leaves Spring Boot's Redis connection factory and reactive template out unless {@code rkllm.cluster.mode} is
 * {@code redis}: the local mode must start and run with no Redis anywhere, and without a client that would try to
 * reach one. In the cluster mode {@link ClusterConfiguration} points them at {@code rkllm.cluster.redis-url}.
 */
public final class RedisOnlyInClusterMode implements AutoConfigurationImportFilter, EnvironmentAware {

    private static final Set<String> REDIS = Set.of(DataRedisAutoConfiguration.class.getName(),
            DataRedisReactiveAutoConfiguration.class.getName());

    private boolean clusterMode;

    @Override
    public void setEnvironment(Environment environment) {
        this.clusterMode = "redis".equalsIgnoreCase(environment.getProperty("rkllm.cluster.mode", "local"));
    }

    @Override
    public boolean[] match(String[] autoConfigurationClasses, AutoConfigurationMetadata metadata) {
        boolean[] matches = new boolean[autoConfigurationClasses.length];
        for (int i = 0; i < matches.length; i++) {
            String candidate = autoConfigurationClasses[i];
            matches[i] = this.clusterMode || candidate == null || !REDIS.contains(candidate);
        }
        return matches;
    }

}
