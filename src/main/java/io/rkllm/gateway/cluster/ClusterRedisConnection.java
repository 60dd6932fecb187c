package io.rkllm.gateway.cluster;

import java.net.URI;

import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.ssl.SslBundle;

/**
 * Where Spring Boot's Redis connection factory connects in the cluster mode: {@code rkllm.cluster.redis-url}
 * ({@code redis://[[user]:password@]host[:port][/db]}, or {@code rediss://} for TLS with the JVM's trust store), so
 * that the one setting the gateway documents is the one that counts.
 */
public record ClusterRedisConnection(RedisURI uri) implements DataRedisConnectionDetails {

    public static ClusterRedisConnection of(URI url) {
        return new ClusterRedisConnection(RedisURI.create(url));
    }

    /** Host and port, without the password, for messages. */
    public String where() {
        return this.uri.getHost() + ":" + this.uri.getPort();
    }

    @Override
    public @Nullable String getUsername() {
        return this.uri.getUsername();
    }

    @Override
    public @Nullable String getPassword() {
        char[] password = this.uri.getPassword();
        return (password != null) ? new String(password) : null;
    }

    @Override
    public @Nullable SslBundle getSslBundle() {
        return this.uri.isSsl() ? SslBundle.systemDefault() : null;
    }

    @Override
    public Standalone getStandalone() {
        return Standalone.of(this.uri.getHost(), this.uri.getPort(), this.uri.getDatabase());
    }

}
