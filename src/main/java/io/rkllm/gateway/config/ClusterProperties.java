package io.rkllm.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code rkllm.cluster.*} settings: whether this gateway is alone ({@code local}) or one board of several that
 * share a Redis ({@code redis}) for their queue and session log.
 *
 * @param mode {@code local} (everything in this process) or {@code redis}
 * @param redisUrl the shared Redis (7 or later, or Valkey), as {@code redis://[:password@]host:port[/db]}
 * @param lease a board that has not sent a heartbeat for this long is gone: its running job ends as
 * {@code worker_lost} and the jobs it claimed but had not started go to other boards
 */
@ConfigurationProperties("rkllm.cluster")
public record ClusterProperties(@DefaultValue("local") String mode,
        @DefaultValue("redis://localhost:6379") URI redisUrl, @DefaultValue("10s") Duration lease) {

    public ClusterProperties {
        mode = mode.toLowerCase(Locale.ROOT);
        if (!mode.equals("local") && !mode.equals("redis")) {
            throw new IllegalArgumentException("rkllm.cluster.mode must be local or redis, got '" + mode + "'");
        }
        if (!"redis".equals(redisUrl.getScheme()) && !"rediss".equals(redisUrl.getScheme())) {
            throw new IllegalArgumentException("rkllm.cluster.redis-url must be a redis:// or rediss:// URL, got '"
                    + redisUrl + "'");
        }
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("rkllm.cluster.lease must be at least 1s, got " + lease);
        }
    }

}
