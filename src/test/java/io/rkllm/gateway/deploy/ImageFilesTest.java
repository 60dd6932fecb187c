package io.rkllm.gateway.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.rkllm.gateway.deploy.Deploy.NodeResult;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.rkllm.gateway.deploy.Deploy.at;
import static io.rkllm.gateway.deploy.Deploy.list;
import static io.rkllm.gateway.deploy.Deploy.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/Dockerfile passes the dockerfile-utils linter and says what the deployment relies on; docker/compose.yaml
 * maps the NPU for a board and nothing for a laptop. (Building and running the image: ContainerImageTest.)
 */
class ImageFilesTest {

    private static List<String> instructions;

    private static List<String> runtimeStage;

    @BeforeAll
    static void readDockerfile() throws Exception {
        instructions = instructions(Files.readString(Deploy.DOCKERFILE));
        int lastFrom = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).startsWith("FROM ")) {
                lastFrom = i;
            }
        }
        runtimeStage = instructions.subList(lastFrom, instructions.size());
    }

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    private static List<String> instructions(String dockerfile) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : dockerfile.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            result.add(current.toString().replaceAll("\\s+", " ").strip());
            current.setLength(0);
        }
        return result;
    }

    private static List<String> runtime(String instruction) {
        return runtimeStage.stream().filter((i) -> i.startsWith(instruction + " ")).toList();
    }

    @Test
    void dockerfilePassesTheLinter() {
        NodeResult result = Deploy.node("lint-dockerfile.mjs", Deploy.DOCKERFILE);

        assertThat(result.exitCode()).as("node deploy-check/lint-dockerfile.mjs:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("0 errors or warnings");
    }

    @Test
    void linterCatchesWhatWouldBreakTheImage() {
        Path broken = Deploy.write("broken.Dockerfile", """
                FROM eclipse-temurin:17-jre-noble
                HEALTHCHECK --intervall=5s CMD true
                ENTRYPOINT ['java', '-jar', 'app.jar']
                """);

        NodeResult result = Deploy.node("lint-dockerfile.mjs", broken);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("Unknown flag: intervall").contains("single quotes");
    }

    @Test
    void runtimeImageIsUbuntuBasedJre25AndTheBuildIsMultiStage() {
        List<String> froms = instructions.stream().filter((i) -> i.startsWith("FROM ")).toList();

        assertThat(froms).hasSizeGreaterThanOrEqualTo(3);
        assertThat(runtimeStage.get(0)).isEqualTo("FROM eclipse-temurin:25-jre-noble AS runtime");
        // The jar is portable: Maven runs on the build machine's platform, never under emulation.
        assertThat(froms).contains("FROM --platform=$BUILDPLATFORM eclipse-temurin:17-jdk-noble AS jar");
        // Only that flag is BuildKit-specific (ContainerImageTest drops it for the classic builder).
        assertThat(instructions).noneMatch((i) -> i.startsWith("RUN --mount") || i.contains("<<"));
        // No base image is chosen through a build argument: Testcontainers pre-pulls the literal names.
        assertThat(froms).noneMatch((f) -> f.matches("FROM (--\\S+ )*\\$.*"));
        // Nothing but the registries' packages is fetched: no curl/wget of a binary in any RUN.
        assertThat(instructions).filteredOn((i) -> i.startsWith("RUN "))
            .noneMatch((i) -> i.matches(".*(curl|wget) [^|]*https?://.*"));
    }

    @Test
    void containerRunsAsANonRootUidThatKeepsItsSupplementaryGroups() {
        assertThat(runtime("USER")).containsExactly("USER 10001");
        assertThat(String.join("\n", runtimeStage)).contains("useradd --system --uid 10001")
            .contains("--groups \"$groups\"")
            .contains("groups=video");
    }

    @Test
    void javaIsPid1AndStopsOnSigterm() {
        assertThat(runtime("ENTRYPOINT")).singleElement().asString().startsWith("ENTRYPOINT [\"java\",")
            .contains("\"--spring.config.additional-location=optional:file:/config/\"");
        assertThat(runtime("STOPSIGNAL")).containsExactly("STOPSIGNAL SIGTERM");
        assertThat(runtime("CMD")).isEmpty();
    }

    @Test
    void everyStartUsesTheAotCacheThatTheBuildTrains() {
        Matcher trained = Pattern.compile("train-aot-cache\\.sh (\\S+\\.aot) ").matcher(String.join("\n", runtime("RUN")));

        assertThat(trained.find()).as("a RUN of train-aot-cache.sh CACHE").isTrue();
        assertThat(runtime("ENTRYPOINT")).singleElement().asString()
            .startsWith("ENTRYPOINT [\"java\", \"-XX:AOTCache=" + trained.group(1) + "\",");
        // The cache is disabled by module options the training did not have; the manifest grants native access.
        assertThat(String.join("\n", runtimeStage)).doesNotContain("--enable-native-access");
    }

    @Test
    void healthcheckAsksTheLivenessGroupOnTheExposedPort() {
        assertThat(runtime("EXPOSE")).containsExactly("EXPOSE 8080");
        assertThat(runtime("HEALTHCHECK")).singleElement().asString()
            .contains("http://127.0.0.1:${SERVER_PORT:-8080}/actuator/health/liveness")
            .contains("curl -fsS");
        assertThat(runtime("VOLUME")).containsExactly("VOLUME [\"/models\", \"/cache\"]");
    }

    @Test
    void jvmIsSizedForASmallBoard() {
        String env = String.join("\n", runtime("ENV"));
        Matcher options = Pattern.compile("JDK_JAVA_OPTIONS=\"([^\"]*)\"").matcher(env);

        assertThat(options.find()).as("ENV JDK_JAVA_OPTIONS").isTrue();
        assertThat(options.group(1).split(" ")).contains("-XX:MaxRAMPercentage=25", "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError");
        assertThat(options.group(1)).doesNotContain("-Xmx").doesNotContain("-Xss");
    }

    @Test
    void realLibraryComesFromTheBuildContextOnlyAndOnlyForArm64() {
        String dockerfile = String.join("\n", instructions);

        assertThat(dockerfile).contains("ARG RKLLM_LIB=").contains("COPY docker/lib/ /build/supplied/")
            .contains("[ \"$arch\" = arm64 ]");
        assertThat(Files.isRegularFile(Deploy.ROOT.resolve("docker/lib/README.md"))).isTrue();
    }

    @Test
    void composeMapsTheNpuForTheBoardAndNothingForTheLaptop() {
        Map<String, Object> compose = Deploy.loadYaml(Deploy.ROOT.resolve("docker/compose.yaml"));
        Map<String, Object> laptop = map(compose, "services", "laptop");
        Map<String, Object> board = map(compose, "services", "board");

        assertThat(laptop.get("profiles")).isEqualTo(List.of("laptop"));
        assertThat(board.get("profiles")).isEqualTo(List.of("board"));
        assertThat(laptop).doesNotContainKeys("devices", "privileged");
        assertThat(board).doesNotContainKey("privileged");
        assertThat(board.get("devices")).asInstanceOf(InstanceOfAssertFactories.LIST)
            .contains("/dev/dri:/dev/dri", "/dev/dma_heap:/dev/dma_heap");
        assertThat(board.get("group_add")).asInstanceOf(InstanceOfAssertFactories.LIST)
            .hasSize(2);
        assertThat(board.get("volumes")).asInstanceOf(InstanceOfAssertFactories.LIST)
            .anyMatch((v) -> ((String) v).endsWith(":/opt/rkllm-gateway/lib/librkllmrt.so:ro"))
            .anyMatch((v) -> ((String) v).endsWith(":/models:ro"));
        for (Map<String, Object> service : List.of(laptop, board)) {
            assertThat(at(service, "ulimits", "nofile", "soft")).isEqualTo(65536);
            assertThat(service.get("read_only")).isEqualTo(true);
            Duration stopGrace = Duration.parse("PT" + ((String) service.get("stop_grace_period")).toUpperCase());
            // Twice the shutdown phase timeout (20s) of docker/application.yml, and a margin.
            assertThat(stopGrace).isGreaterThan(Duration.ofSeconds(40));
        }
    }

    @Test
    void composeClusterProfileRunsTwoSimulatedBoardsWithModelsOfTheirOwnOnOneRedis() {
        Map<String, Object> compose = Deploy.loadYaml(Deploy.ROOT.resolve("docker/compose.yaml"));
        Map<String, Object> redis = map(compose, "services", "redis");
        Map<String, Object> a = map(compose, "services", "board-a");
        Map<String, Object> b = map(compose, "services", "board-b");

        for (Map<String, Object> service : List.of(redis, a, b)) {
            assertThat(service.get("profiles")).isEqualTo(List.of("cluster"));
        }
        assertThat(List.of(a.get("ports"), b.get("ports"))).containsExactly(List.of("8080:8080"), List.of("8081:8080"));
        for (Map<String, Object> board : List.of(a, b)) {
            Map<String, Object> env = map(board, "environment");
            assertThat(env).containsEntry("RKLLM_CLUSTER_MODE", "redis")
                .containsEntry("RKLLM_CLUSTER_REDISURL", "redis://redis:6379");
            String model = (String) env.get("RKLLM_MODEL_MODELPATH");
            Map<String, Object> config = list(board, "configs").get(0);
            assertThat(config.get("target")).isEqualTo(model);
            assertThat((String) at(compose, "configs", (String) config.get("source"), "content"))
                .startsWith("RKLLM-SIM-MODEL 1\n");
        }
        assertThat(at(a, "environment", "RKLLM_MODEL_MODELPATH"))
            .isNotEqualTo(at(b, "environment", "RKLLM_MODEL_MODELPATH"));
    }

    @Test
    void dockerignoreKeepsTheContextToWhatTheBuildCopies() throws Exception {
        List<String> lines = Files.readAllLines(Deploy.ROOT.resolve(".dockerignore"))
            .stream()
            .filter((l) -> !l.isBlank() && !l.startsWith("#"))
            .toList();

        assertThat(lines.get(0)).isEqualTo("*");
        assertThat(lines).contains("!mvnw", "!.mvn/", "!pom.xml", "!src/main/", "!native-libs/", "!docker/")
            .doesNotContain("!target/", "!deploy-check/", "!helm/");
    }

}
