package io.rkllm.gateway.web;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to the packaged jar, started as a real process, in the middle of a streamed run: the stream ends with an
 * aborted end chunk whose reason is shutdown, the model handle is destroyed, and the process exits within the grace
 * period (20 s per shutdown phase, from the packaged application.yml).
 */
class GracefulShutdownIT {

    private static final Duration GRACE = Duration.ofSeconds(20);

    @Test
    void sigtermMidStreamEndsTheStreamAbortsTheRunAndExitsWithinTheGracePeriod(@TempDir Path logs) throws Exception {
        int port = freePort();
        Path log = logs.resolve("gateway.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("rkllm.jar", "target/rkllm-gateway-0.1.0-SNAPSHOT.jar"),
                "--server.port=" + port)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> ready(port));
            RawSseClient stream = RawSseClient.postRpc(port, GatewayRpc.request("rkllm_run",
                    Map.of("prompt_input", "SHUTDOWN [[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=1000000]]")));
            for (int i = 0; i < 5; i++) {
                stream.nextEvent(RawSseClient.Event::isChunk, Duration.ofSeconds(10));
            }
            long signalled = System.nanoTime();
            process.destroy();

            List<RawSseClient.Event> rest = stream.eventsUntilEndChunk(GRACE);
            JsonNode end = rest.get(rest.size() - 1).json();
            assertThat(end.path("finish_reason").asString()).isEqualTo("aborted");
            assertThat(end.path("reason").asString()).isEqualTo("shutdown");
            assertThat(stream.bodyEnds(Duration.ofSeconds(5))).isTrue();

            assertThat(process.waitFor(GRACE.toSeconds(), TimeUnit.SECONDS)).as("exited within the grace period")
                .isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(GRACE);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(output).contains("Shutting down: ending 1 live session(s)").contains("Model handle destroyed");
            assertThat(output.indexOf("Model handle destroyed"))
                .isGreaterThan(output.indexOf("Shutting down: ending 1 live session(s)"));
        }
        finally {
            process.destroyForcibly();
        }
    }

    private static boolean ready(int port) {
        try {
            RawHttp.Answer answer = RawHttp.get(port, "/actuator/health/readiness");
            return answer.status() == 200;
        }
        catch (IOException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
