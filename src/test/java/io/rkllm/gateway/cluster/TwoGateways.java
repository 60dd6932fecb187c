package io.rkllm.gateway.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.util.FileSystemUtils;

/**
 * Two gateways on one {@link RedisServer}, for the tests of a class ({@code @RegisterExtension static}, after the
 * server): {@link #a()} has the model {@code alpha} (text "Alpine"), {@link #b()} the model {@code beta} (text
 * "Baltic"), each as its only and default model, on a simulator handle of its own.
 */
public final class TwoGateways implements BeforeAllCallback, AfterAllCallback {

    private final RedisServer redis;

    private final String[] properties;

    private @Nullable Path dir;

    private @Nullable ClusterGateway a;

    private @Nullable ClusterGateway b;

    /** @param properties more {@code key=value} settings of both gateways */
    public TwoGateways(RedisServer redis, String... properties) {
        this.redis = redis;
        this.properties = properties;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        this.dir = Files.createTempDirectory("rkllm-cluster");
        this.a = ClusterGateway.start(this.redis, Files.createDirectory(this.dir.resolve("a")), "alpha", "Alpine",
                this.properties);
        this.b = ClusterGateway.start(this.redis, Files.createDirectory(this.dir.resolve("b")), "beta", "Baltic",
                this.properties);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (this.b != null) {
            this.b.close();
        }
        if (this.a != null) {
            this.a.close();
        }
        if (this.dir != null) {
            FileSystemUtils.deleteRecursively(this.dir);
        }
    }

    public ClusterGateway a() {
        return Objects.requireNonNull(this.a, "not started");
    }

    public ClusterGateway b() {
        return Objects.requireNonNull(this.b, "not started");
    }

}
