package io.rkllm.gateway.config;

import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import io.rkllm.gateway.cluster.BoardWorker;
import io.rkllm.gateway.cluster.ClusterRedis;
import io.rkllm.gateway.cluster.ClusterRedisConnection;
import io.rkllm.gateway.cluster.ClusterTicks;
import io.rkllm.gateway.cluster.RedisSharedRuns;
import io.rkllm.gateway.cluster.SharedLog;
import io.rkllm.gateway.models.ModelCatalogue;
import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.stream.RunLimits;
import io.rkllm.gateway.stream.StreamManager;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cluster mode ({@code rkllm.cluster.mode: redis}): Spring Boot's Redis connection factory and reactive template
 * (Lettuce), pointed at {@code rkllm.cluster.redis-url}; the shared queue and session log that the stream manager
 * hands its runs to; this board's worker and heartbeat. In the local mode none of it is built, not even the connection
 * factory ({@link RedisOnlyInClusterMode}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "rkllm.cluster.mode", havingValue = "redis")
public class ClusterConfiguration {

    /** Reconnect attempts while Redis is away: soon at first, then once a second, so a board is back within one. */
    private static final Delay RECONNECT = Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2,
            TimeUnit.MILLISECONDS);

    /** This gateway's name in the cluster: the host's (a pod's name), made unique for restarts and shared hosts. */
    @Bean
    String clusterGatewayId() {
        String host = Objects.requireNonNullElse(System.getenv("HOSTNAME"), "gateway");
        return host + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    }

    @Bean
    ClusterRedisConnection clusterRedisConnection(ClusterProperties cluster) {
        return ClusterRedisConnection.of(cluster.redisUrl());
    }

    /** A command fails after a few seconds rather than Lettuce's minute: a gateway says at once that Redis is away. */
    @Bean
    LettuceClientConfigurationBuilderCustomizer clusterRedisTimeouts() {
        return (builder) -> builder.commandTimeout(ClusterRedis.COMMAND_TIMEOUT);
    }

    /** While disconnected, commands are refused at once rather than queued until Redis is back. */
    @Bean
    LettuceClientOptionsBuilderCustomizer clusterRedisOptions() {
        return (builder) -> builder.autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    @Bean
    ClientResourcesBuilderCustomizer clusterRedisReconnects() {
        return (builder) -> builder.reconnectDelay(RECONNECT);
    }

    @Bean
    ClusterRedis clusterRedis(ReactiveStringRedisTemplate template, ClusterRedisConnection connection) {
        return new ClusterRedis(template, connection.where());
    }

    /** Logs and metadata are kept for the idle timeout after their last use, chunks up to the replay limit. */
    @Bean
    SharedLog sharedLog(ClusterRedis redis, StreamsProperties streams) {
        return new SharedLog(redis, JsonMapper.shared(), streams.idleTimeout(), streams.replayLimit());
    }

    @Bean
    RedisSharedRuns sharedRuns(ClusterRedis redis, SharedLog log, ClusterProperties cluster, QueueProperties queue,
            RunLimits limits, Clock clock, String clusterGatewayId) {
        return new RedisSharedRuns(redis, log, JsonMapper.shared(), queue, limits, cluster.lease(), clock,
                clusterGatewayId);
    }

    /** Half the shutdown phase's time for the running job to end; the web server and the runtime need the rest. */
    @Bean
    BoardWorker boardWorker(ClusterRedis redis, SharedLog log, StreamManager manager, ModelCatalogue catalogue,
            ResidentModels residents, ClusterProperties cluster, String clusterGatewayId,
            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration phaseTimeout) {
        return new BoardWorker(redis, log, manager, catalogue, residents, JsonMapper.shared(), clusterGatewayId,
                cluster.lease(), phaseTimeout.dividedBy(2));
    }

    @Bean
    ClusterTicks clusterTicks(ClusterRedis redis, BoardWorker worker, RedisSharedRuns runs,
            ClusterProperties cluster) {
        return new ClusterTicks(redis, worker, runs, cluster.lease());
    }

}
