package io.rkllm.gateway.cluster;

import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rkllm.cluster.redis-url} as Spring Boot's Redis connection factory takes it. */
class ClusterRedisConnectionTest {

    @Test
    void takesHostPortDatabaseAndPassword() {
        ClusterRedisConnection connection = ClusterRedisConnection.of(URI.create("redis://:s3cret@redis.rkllm:6380/2"));

        assertThat(connection.getStandalone().getHost()).isEqualTo("redis.rkllm");
        assertThat(connection.getStandalone().getPort()).isEqualTo(6380);
        assertThat(connection.getStandalone().getDatabase()).isEqualTo(2);
        assertThat(connection.getPassword()).isEqualTo("s3cret");
        assertThat(connection.getSslBundle()).isNull();
        assertThat(connection.where()).as("for messages, without the password").isEqualTo("redis.rkllm:6380");
    }

    @Test
    void takesAUserAndTheDefaultPort() {
        ClusterRedisConnection connection = ClusterRedisConnection.of(URI.create("redis://gateway:pw@redis"));

        assertThat(connection.getUsername()).isEqualTo("gateway");
        assertThat(connection.getPassword()).isEqualTo("pw");
        assertThat(connection.getStandalone().getPort()).isEqualTo(6379);
        assertThat(connection.getStandalone().getDatabase()).isZero();
    }

    @Test
    void redissUrlsUseTlsWithTheJvmsTrustStore() {
        ClusterRedisConnection connection = ClusterRedisConnection.of(URI.create("rediss://redis.example:6390"));

        assertThat(connection.getSslBundle()).isNotNull();
        assertThat(connection.getStandalone().getPort()).isEqualTo(6390);
    }

}
