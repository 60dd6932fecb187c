package io.rkllm.gateway.deploy;

import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.rkllm.gateway.deploy.Deploy.Rendered;
import io.rkllm.gateway.deploy.Deploy.Values;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import static io.rkllm.gateway.deploy.Deploy.at;
import static io.rkllm.gateway.deploy.Deploy.list;
import static io.rkllm.gateway.deploy.Deploy.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP paths that the deployment files point at (the chart's probes and ServiceMonitor, the image's HEALTHCHECK)
 * answer 200 on the running gateway, over a real socket: a renamed Actuator group would fail here, not on a board.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ProbePathsTest {

    @LocalServerPort
    private int port;

    @Autowired
    private RkllmRuntime runtime;

    private WebTestClient client;

    @BeforeEach
    void connect() throws Exception {
        this.client = WebTestClient.bindToServer()
            .baseUrl("http://localhost:" + this.port)
            .responseTimeout(Duration.ofSeconds(10))
            .build();
        // Readiness includes the runtime: wait until the simulator's model is loaded.
        this.runtime.initialization().get(10, TimeUnit.SECONDS);
    }

    @Test
    void everyRenderedProbePathAnswersUp() {
        Set<String> paths = new LinkedHashSet<>();
        for (Values values : Values.values()) {
            Map<String, Object> container = Deploy.render(values).container();
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                paths.add((String) at(container, probe, "httpGet", "path"));
            }
        }

        assertThat(paths).containsExactlyInAnyOrder("/actuator/health/liveness", "/actuator/health/readiness");
        for (String path : paths) {
            this.client.get().uri(path).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("UP");
        }
    }

    @Test
    void readinessProbeWaitsForTheRuntimeAndLivenessDoesNot() {
        String readiness = (String) at(Deploy.render(Values.BOARD).container(), "readinessProbe", "httpGet", "path");
        String liveness = (String) at(Deploy.render(Values.BOARD).container(), "livenessProbe", "httpGet", "path");

        this.client.get().uri(readiness).exchange().expectStatus().isOk().expectBody()
            .jsonPath("$.components.rkllm.status").isEqualTo("UP");
        this.client.get().uri(liveness).exchange().expectStatus().isOk().expectBody()
            .jsonPath("$.components.rkllm").doesNotExist();
    }

    @Test
    void serviceMonitorScrapesARealPrometheusEndpoint() {
        Rendered board = Deploy.render(Values.BOARD);
        Map<String, Object> endpoint = list(map(board.one("ServiceMonitor"), "spec"), "endpoints").get(0);

        String body = this.client.get().uri((String) endpoint.get("path")).exchange().expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).contains("jvm_memory_used_bytes");
    }

    @Test
    void imageHealthcheckAsksARealPath() throws Exception {
        String dockerfile = Files.readString(Deploy.DOCKERFILE);
        Matcher healthcheck = Pattern.compile("HEALTHCHECK[^\\n]*\\n[^\\n]*http://127\\.0\\.0\\.1:[^/]+(/[^\"\\s]+)")
            .matcher(dockerfile);

        assertThat(healthcheck.find()).as("HEALTHCHECK URL in docker/Dockerfile").isTrue();
        this.client.get().uri(healthcheck.group(1)).exchange().expectStatus().isOk();
    }

}
