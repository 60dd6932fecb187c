package io.rkllm.gateway.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.rkllm.gateway.cluster.ClusterGateway;
import io.rkllm.gateway.cluster.RedisServer;
import io.rkllm.gateway.web.GatewayRpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.context.reactive.StandardReactiveWebEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The compose file's {@code cluster} profile without Docker (none on the CI machines; {@code ContainerImageTest}
 * builds the image where there is one): its two boards run as the image would run them, from the image's
 * {@code docker/application.yml} with the services' environment variables and model files, on a real Redis. Only what
 * Docker itself provides is put in: Redis's address (the service name {@code redis} resolves inside compose only),
 * the files' directory, the simulator library's path and the listening port.
 */
class ComposeClusterProfileTest {

    @RegisterExtension
    static final RedisServer REDIS = new RedisServer();

    private static final String COMPOSE_REDIS = "redis://redis:6379";

    private static final String MODELS = "/cluster-models/";

    @Test
    void eitherBoardsPortTakesRunsForBothModelsAndServesEverySession(@TempDir Path files) throws Exception {
        Map<String, Object> compose = Deploy.loadYaml(Deploy.ROOT.resolve("docker/compose.yaml"));
        try (ClusterGateway a = board(compose, "board-a", files); ClusterGateway b = board(compose, "board-b", files)) {
            GatewayRpc viaA = a.rpc();
            GatewayRpc viaB = b.rpc();
            await("both boards in the cluster").atMost(Duration.ofSeconds(20))
                .until(() -> viaA.status().get("boards").size() == 2);

            JsonNode baltic = viaA.result("rkllm_run", Map.of("prompt_input", "sea", "model", "baltic",
                    "max_new_tokens", 6));
            JsonNode alpine = viaB.result("rkllm_run", Map.of("prompt_input", "hills", "model", "alpine",
                    "max_new_tokens", 6));

            assertThat(baltic.get("text").asString()).as("board-b's model, asked through board-a").contains("Baltic");
            assertThat(alpine.get("text").asString()).as("board-a's model, asked through board-b").contains("Alpine");
            assertThat(viaB.result("poll", Map.of("session_id", baltic.get("session_id").asString(), "since_seq", 0))
                .get("state").asString()).as("a session started through board-a, read through board-b")
                .isEqualTo("finished");
        }
    }

    /** One board as compose starts it: the image's configuration and the service's variables. */
    @SuppressWarnings("unchecked")
    private static ClusterGateway board(Map<String, Object> compose, String service, Path files) throws IOException {
        Map<String, Object> definition = Deploy.map(compose, "services", service);
        for (Object mount : (List<Object>) definition.get("configs")) {
            Map<String, Object> config = (Map<String, Object>) mount;
            String content = (String) Deploy.at(compose, "configs", (String) config.get("source"), "content");
            Files.writeString(files.resolve(((String) config.get("target")).substring(MODELS.length())), content);
        }
        Map<String, Object> variables = new LinkedHashMap<>();
        Deploy.map(definition, "environment").forEach((name, value) -> variables.put(name, String.valueOf(value)
            .replace(COMPOSE_REDIS, REDIS.url())
            .replace(MODELS, files + "/")));
        StandardReactiveWebEnvironment environment = new StandardReactiveWebEnvironment();
        // Named as Spring Boot names the process's environment, so that RKLLM_CLUSTER_REDISURL binds as it does there.
        String name = "compose-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
        environment.getPropertySources().addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(name, variables));
        return ClusterGateway.launch(environment, "--spring.config.location=file:docker/application.yml",
                "--server.port=0", "--spring.main.banner-mode=off",
                "--rkllm.library-path=" + Deploy.ROOT.resolve("target/native/1.3/librkllmrt.so"),
                "--rkllm.cache-dir=" + files.resolve("cache"));
    }

}
