package io.rkllm.gateway.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.github.dockerjava.api.command.InspectImageResponse;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Builds the image from docker/Dockerfile (the simulator variant, for this machine's architecture), starts it with a
 * read-only root filesystem, and checks health and one streamed run inside the container. Skipped where no Docker
 * engine runs (the project's CI machines have only the docker client); the build needs Maven Central and the Ubuntu
 * and Eclipse Temurin base images.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ContainerImageTest {

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void requireDocker() {
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        }
        catch (RuntimeException ex) {
            available = false;
        }
        Assumptions.assumeTrue(available, "no Docker engine: ContainerImageTest builds and runs docker/Dockerfile "
                + "only where Testcontainers finds a Docker engine (DOCKER_HOST or /var/run/docker.sock)");
    }

    @Test
    void imageStartsNonRootAnswersHealthAndStreamsARun() throws Exception {
        String arch = dockerArch();
        // docker-java drives the classic builder, which knows neither BuildKit's BUILDPLATFORM nor TARGETARCH: the
        // jar stage's --platform flag goes (it builds for this machine anyway), TARGETARCH is given.
        String dockerfile = Files.readString(Deploy.DOCKERFILE).replace("FROM --platform=$BUILDPLATFORM ", "FROM ");
        ImageFromDockerfile image = buildContext(new ImageFromDockerfile("rkllm-gateway-test:" + arch, true))
            .withFileFromString("docker/Dockerfile", dockerfile)
            .withDockerfilePath("docker/Dockerfile")
            .withBuildArg("TARGETARCH", arch);

        try (GenericContainer<?> gateway = new GenericContainer<>(image)
            .withExposedPorts(8080)
            .withEnv("RKLLM_TESTMETHODS_ENABLED", "true")
            .withCreateContainerCmdModifier((cmd) -> cmd.getHostConfig()
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/tmp", "rw,size=256m")))
            .waitingFor(Wait.forHttp("/actuator/health/readiness").forStatusCode(200))
            .withStartupTimeout(Duration.ofMinutes(3))) {
            gateway.start();
            String base = "http://" + gateway.getHost() + ":" + gateway.getMappedPort(8080);

            HttpResponse<String> liveness = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/actuator/health/liveness")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(liveness.statusCode()).isEqualTo(200);
            assertThat(liveness.body()).contains("\"status\":\"UP\"");

            HttpResponse<String> streamed = http.send(HttpRequest.newBuilder(URI.create(base + "/rpc"))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"jsonrpc":"2.0","id":1,"method":"rkllm_run","params":{"prompt_input":
                        "Hello from the container [[sim:tokens=12]][[sim:prefill_ms=0]][[sim:delay_us=1000]]"}}"""))
                .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.headers().firstValue("Content-Type")).hasValueSatisfying(
                    (type) -> assertThat(type).startsWith("text/event-stream"));
            assertThat(streamed.body()).contains("event:chunk").contains("\"end\":true")
                .contains("\"finish_reason\":\"stop\"");

            ExecResult id = gateway.execInContainer("id");
            assertThat(id.getStdout()).startsWith("uid=10001(rkllm)").contains("(video)");

            InspectImageResponse inspected = DockerClientFactory.instance().client()
                .inspectImageCmd(image.get())
                .exec();
            assertThat(inspected.getConfig().getHealthcheck().getTest()).anyMatch(
                    (part) -> part.contains("/actuator/health/liveness"));
            assertThat(inspected.getConfig().getUser()).isEqualTo("10001");
        }
    }

    /** linux/amd64 or linux/arm64, as Docker names this machine's architecture. */
    private static String dockerArch() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> throw new IllegalStateException("no image for architecture " + arch);
        };
    }

    /**
     * The build context that .dockerignore describes: its "!" lines name what goes in, the plain paths after them
     * what is taken out again (docker-java's classic build does not read .dockerignore from a Testcontainers context).
     */
    private static ImageFromDockerfile buildContext(ImageFromDockerfile image) throws IOException {
        List<String> included = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (String line : Files.readAllLines(Deploy.ROOT.resolve(".dockerignore"))) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#") || entry.equals("*")) {
                continue;
            }
            if (entry.startsWith("!")) {
                included.add(trimSlash(entry.substring(1)));
            }
            else {
                excluded.add(trimSlash(entry));
            }
        }
        for (String root : included) {
            Path path = Deploy.ROOT.resolve(root);
            if (!Files.exists(path)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(path)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String relative = Deploy.ROOT.relativize(file).toString().replace('\\', '/');
                    if (!relative.equals("docker/Dockerfile")
                            && excluded.stream().noneMatch((e) -> relative.equals(e) || relative.startsWith(e + "/"))) {
                        image.withFileFromPath(relative, file);
                    }
                }
            }
        }
        return image;
    }

    private static String trimSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

}
