package io.rkllm.gateway.config;

import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import io.rkllm.gateway.cluster.BoardWorker;
import io.rkllm.gateway.cluster.ClusterRedis;
import io.rkllm.gateway.cluster.ClusterTicks;
import io.rkllm.gateway.cluster.RedisSharedRuns;
import io.rkllm.gateway.cluster.SharedLog;
import io.rkllm.gateway.models.ModelCatalogue;
import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.stream.StreamManager;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cluster mode ({@code rkllm.cluster.mode: redis}): the shared queue and session log that the stream manager
 * hands its runs to, and this board's worker and heartbeat. In the local mode none of it is built.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "rkllm.cluster.mode", havingValue = "redis")
public class ClusterConfiguration {

    /** This gateway's name in the cluster: the host's (a pod's name), made unique for restarts and shared hosts. */
    @Bean
    String clusterGatewayId() {
        String host = Objects.requireNonNullElse(System.getenv("HOSTNAME"), "gateway");
        return host + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    }

    @Bean(destroyMethod = "close")
    ClusterRedis clusterRedis(ClusterProperties cluster) {
        return new ClusterRedis(cluster.redisUrl());
    }

    /** Logs and metadata are kept for the idle timeout after their last use, chunks up to the replay limit. */
    @Bean
    SharedLog sharedLog(ClusterRedis redis, StreamsProperties streams) {
        return new SharedLog(redis, JsonMapper.shared(), streams.idleTimeout(), streams.replayLimit());
    }

    @Bean(destroyMethod = "close")
    RedisSharedRuns sharedRuns(ClusterRedis redis, SharedLog log, ClusterProperties cluster, QueueProperties queue,
            Clock clock, String clusterGatewayId) {
        return new RedisSharedRuns(redis, log, JsonMapper.shared(), queue, cluster.lease(), clock, clusterGatewayId);
    }

    /** Half the shutdown phase's time for the running job to end; the web server and the runtime need the rest. */
    @Bean
    BoardWorker boardWorker(ClusterRedis redis, SharedLog log, StreamManager manager, ModelCatalogue catalogue,
            ResidentModels residents, ClusterProperties cluster, String clusterGatewayId,
            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration phaseTimeout) {
        return new BoardWorker(redis, log, manager, catalogue, residents, JsonMapper.shared(), clusterGatewayId,
                cluster.lease(), phaseTimeout.dividedBy(2));
    }

    @Bean(destroyMethod = "close")
    ClusterTicks clusterTicks(BoardWorker worker, RedisSharedRuns runs, ClusterProperties cluster) {
        return new ClusterTicks(worker, runs, cluster.lease());
    }

}
