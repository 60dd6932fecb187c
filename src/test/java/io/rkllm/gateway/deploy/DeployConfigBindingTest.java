package io.rkllm.gateway.deploy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.rkllm.gateway.config.ClusterProperties;
import io.rkllm.gateway.config.RkllmProperties;
import io.rkllm.gateway.deploy.Deploy.Values;
import io.rkllm.gateway.nativebridge.ModelParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration files the deployment hands to the gateway (the Helm ConfigMap's application.yml, the image's
 * docker/application.yml) bind into the application's own properties records, and every rkllm.* key in them is one
 * that a record takes: a misspelt key would otherwise be ignored without a word.
 */
class DeployConfigBindingTest {

    @ParameterizedTest
    @EnumSource(Values.class)
    void configMapBindsIntoEveryPropertiesRecordWithNoStrayKey(Values values) {
        ConfigBinding config = ConfigBinding.of(Deploy.render(values).applicationYaml());

        assertThat(config.rkllm()).isNotNull();
        assertThat(config.streams()).isNotNull();
        assertThat(config.queue()).isNotNull();
        assertThat(config.limits()).isNotNull();
        assertThat(config.unboundKeys("rkllm")).isEmpty();
        assertThat(config.shutdownPhaseTimeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void clusterConfigMapPutsEveryGatewayOnTheSharedRedis() {
        ClusterProperties local = ConfigBinding.of(Deploy.render(Values.DEFAULT).applicationYaml()).cluster();
        ClusterProperties cluster = ConfigBinding.of(Deploy.render(Values.CLUSTER_EXTERNAL).applicationYaml())
            .cluster();

        assertThat(local.mode()).isEqualTo("local");
        assertThat(cluster.mode()).isEqualTo("redis");
        assertThat(cluster.redisUrl()).isEqualTo(URI.create("redis://redis.infra:6379/2"));
        assertThat(cluster.lease()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void defaultConfigMapPointsAtTheImagesLibraryModelAndVolumes() {
        ConfigBinding config = ConfigBinding.of(Deploy.render(Values.DEFAULT).applicationYaml());
        RkllmProperties rkllm = config.rkllm();

        assertThat(rkllm.libraryPath()).isEqualTo("/opt/rkllm-gateway/lib/librkllmrt.so");
        assertThat(rkllm.abi()).isEqualTo("auto");
        assertThat(rkllm.modelDir()).isEqualTo(Path.of("/models"));
        assertThat(rkllm.cacheDir()).isEqualTo(Path.of("/cache"));
        assertThat(rkllm.model().modelPath()).isEqualTo("/models/tiny-sim.rkllm");
        assertThat(rkllm.testMethods().enabled()).isFalse();
        assertThat(rkllm.adminMethods().enabled()).isFalse();
        assertThat(config.serverPort()).isEqualTo(8080);
        assertThat(config.streams().maxSessions()).isEqualTo(256);
        assertThat(config.streams().replayLimit()).isEqualTo(4096);
        assertThat(config.streams().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.streams().evictionInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.streams().heartbeat()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.queue().capacity()).isEqualTo(16);
        assertThat(config.queue().maxWait()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.limits().maxBatch()).isEqualTo(32);
        assertThat(config.limits().maxRequestBytes()).isEqualTo(DataSize.ofMegabytes(1));
        assertThat(config.cors().allowedOrigins()).isEmpty();
    }

    @Test
    void boardConfigMapLoadsItsModelOnTheBigCores() {
        ModelParams model = ConfigBinding.of(Deploy.render(Values.BOARD).applicationYaml()).rkllm().model();

        assertThat(model.modelPath()).isEqualTo("/models/Qwen2.5-1.5B-Instruct_W8A8_RK3588.rkllm");
        assertThat(model.enabledCpusMask()).isEqualTo(0xF0);
        assertThat(model.enabledCpusNum()).isEqualTo(4);
        assertThat(model.maxContextLen()).isEqualTo(4096);
    }

    @Test
    void valuesMergeIntoTheConfigKeyByKey() {
        ConfigBinding config = ConfigBinding.of(Deploy.render(Values.DAEMONSET_PRIVILEGED).applicationYaml());
        ModelParams model = config.rkllm().model();

        assertThat(model.modelPath()).isEqualTo("/models/qwen.rkllm");
        assertThat(model.topK()).isEqualTo(20);
        assertThat(model.temperature()).isEqualTo(0.7f);
        // Untouched keys keep values.yaml's.
        assertThat(model.enabledCpusMask()).isEqualTo(0xF0);
        assertThat(config.rkllm().testMethods().enabled()).isTrue();
        assertThat(config.cors().allowedOrigins()).containsExactly("https://chat.rkllm-gateway.local");
    }

    @Test
    void imageConfigurationBindsAndMatchesThePathsTheImageProvides() throws Exception {
        ConfigBinding config = ConfigBinding.of(Files.readString(Deploy.ROOT.resolve("docker/application.yml")));
        RkllmProperties rkllm = config.rkllm();

        assertThat(config.unboundKeys("rkllm")).isEmpty();
        assertThat(rkllm.libraryPath()).isEqualTo("/opt/rkllm-gateway/lib/librkllmrt.so");
        assertThat(rkllm.modelDir()).isEqualTo(Path.of("/models"));
        assertThat(rkllm.cacheDir()).isEqualTo(Path.of("/cache"));
        assertThat(rkllm.model().modelPath()).isEqualTo("/models/tiny-sim.rkllm");
        assertThat(config.serverPort()).isEqualTo(8080);
        assertThat(config.shutdownPhaseTimeout()).isEqualTo(Duration.ofSeconds(20));
        String dockerfile = Files.readString(Deploy.DOCKERFILE);
        assertThat(dockerfile).contains("COPY native-libs/models/tiny-sim.rkllm /models/tiny-sim.rkllm")
            .contains("/opt/rkllm-gateway/lib/librkllmrt.so")
            .contains("COPY docker/application.yml /opt/rkllm-gateway/application.yml");
    }

    @Test
    void chartGivesTheShutdownAtLeastWhatTheApplicationItselfAsksFor() throws Exception {
        // The jar's own application.yml may set the shutdown phase (graceful shutdown); the chart must not cut it.
        String bundled = Files.readString(Deploy.ROOT.resolve("src/main/resources/application.yml"));
        Optional<Duration> app = ConfigBinding.of(bundled).shutdownPhaseTimeoutIfSet();
        Duration chart = ConfigBinding.of(Deploy.render(Values.DEFAULT).applicationYaml()).shutdownPhaseTimeout();

        assertThat(chart).isGreaterThanOrEqualTo(app.orElse(Duration.ZERO));
    }

}
