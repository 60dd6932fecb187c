package io.rkllm.gateway;

import java.time.Duration;

import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RuntimeStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Without a runtime library the service still starts and answers, its runtime unavailable with the reason. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "rkllm.library-path=/nonexistent/librkllmrt.so")
class RkllmGatewayUnavailableRuntimeTest {

    @LocalServerPort
    int port;

    @Autowired
    RkllmRuntime runtime;

    @Test
    void actuatorHealthStillAnswersOverHttp() {
        WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + this.port)
                .responseTimeout(Duration.ofSeconds(10))
                .build()
                .get()
                .uri("/actuator/health")
                .accept(MediaType.APPLICATION_JSON)
                .exchange()
                .expectStatus()
                .value((status) -> assertThat(HttpStatus.valueOf(status)).isIn(HttpStatus.OK,
                        HttpStatus.SERVICE_UNAVAILABLE))
                .expectBody()
                .jsonPath("$.status")
                .value((status) -> assertThat(status).isIn("UP", "DOWN", "OUT_OF_SERVICE"));
    }

    @Test
    void runtimeIsUnavailableNamingTheMissingLibrary() {
        RuntimeStatus status = this.runtime.status();

        assertThat(this.runtime.initialization()).isCompleted();
        assertThat(status.state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
        assertThat(status.libraryPath()).isEqualTo("/nonexistent/librkllmrt.so");
        assertThat(status.reason()).isEqualTo(
                "no runtime library at /nonexistent/librkllmrt.so (rkllm.library-path)");
        assertThat(this.runtime.isRunning()).isFalse();
    }

}
