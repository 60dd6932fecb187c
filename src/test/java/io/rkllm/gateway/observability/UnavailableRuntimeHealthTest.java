package io.rkllm.gateway.observability;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** A service whose runtime library is missing stays up, says why in its health, and is live but not ready. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "rkllm.library-path=/nonexistent/librkllmrt.so")
class UnavailableRuntimeHealthTest {

    @LocalServerPort
    private int port;

    private WebTestClient client;

    @BeforeEach
    void connect() {
        this.client = WebTestClient.bindToServer()
            .baseUrl("http://localhost:" + this.port)
            .responseTimeout(Duration.ofSeconds(10))
            .build();
    }

    @Test
    void healthIsDownWithTheReason() {
        JsonNode health = get("/actuator/health", HttpStatus.SERVICE_UNAVAILABLE);

        assertThat(health.path("status").asString()).isEqualTo("DOWN");
        JsonNode rkllm = health.path("components").path("rkllm");
        assertThat(rkllm.path("status").asString()).isEqualTo("DOWN");
        assertThat(rkllm.path("details").path("reason").asString())
            .contains("no runtime library at /nonexistent/librkllmrt.so");
        assertThat(rkllm.path("details").path("library").asString()).isEqualTo("/nonexistent/librkllmrt.so");
        assertThat(rkllm.path("details").path("state").asString()).isEqualTo("unavailable");
        assertThat(rkllm.path("details").path("busy").asBoolean()).isFalse();
    }

    @Test
    void notReadyButLive() {
        JsonNode readiness = get("/actuator/health/readiness", HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(readiness.path("status").asString()).isEqualTo("DOWN");
        assertThat(readiness.path("components").path("rkllm").path("status").asString()).isEqualTo("DOWN");

        JsonNode liveness = get("/actuator/health/liveness", HttpStatus.OK);
        assertThat(liveness.path("status").asString()).isEqualTo("UP");
    }

    @Test
    void streamsEndpointStillAnswers() {
        JsonNode streams = get("/actuator/streams", HttpStatus.OK);

        assertThat(streams.path("initialized").asBoolean()).isTrue();
        assertThat(streams.path("sessions").isArray()).isTrue();
    }

    private JsonNode get(String path, HttpStatus status) {
        JsonNode body = this.client.get()
            .uri(path)
            .exchange()
            .expectStatus()
            .isEqualTo(status)
            .expectBody(JsonNode.class)
            .returnResult()
            .getResponseBody();
        assertThat(body).isNotNull();
        return body;
    }

}
