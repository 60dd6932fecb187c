package io.rkllm.gateway;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RuntimeStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The service starts from the bundled application.yml on the simulator and answers over a real socket. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class RkllmGatewayApplicationTest {

    @LocalServerPort
    int port;

    @Autowired
    RkllmRuntime runtime;

    private WebTestClient client() {
        return WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + this.port)
                .responseTimeout(Duration.ofSeconds(10))
                .build();
    }

    @Test
    void actuatorHealthAnswersUpOverHttpOnceTheModelIsLoaded() {
        this.runtime.initialization().orTimeout(10, TimeUnit.SECONDS).join();

        client().get()
                .uri("/actuator/health")
                .accept(MediaType.APPLICATION_JSON)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP");
    }

    @Test
    void runtimeBecomesReadyOnTheBundled13Simulator() {
        RuntimeStatus status = this.runtime.initialization().orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(status.state()).isEqualTo(RuntimeStatus.State.READY);
        assertThat(this.runtime.status().ready()).isTrue();
        assertThat(status.abi()).isEqualTo("1.3");
        assertThat(status.version()).isEqualTo("1.3.0");
        assertThat(status.libraryPath()).isEqualTo("target/native/1.3/librkllmrt.so");
        assertThat(status.modelPath()).isEqualTo("native-libs/models/tiny-sim.rkllm");
        assertThat(this.runtime.activeParams()).isNotNull();
        assertThat(this.runtime.activeParams().maxContextLen()).isEqualTo(4096);
    }

}
