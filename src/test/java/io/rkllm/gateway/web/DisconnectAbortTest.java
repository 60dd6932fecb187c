package io.rkllm.gateway.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A client that goes away in the middle of a run it started in the same request aborts that run at once, and nothing
 * of it leaks into the next run: streamed ({@code Accept: text/event-stream}) and blocking {@code rkllm_run} alike.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class DisconnectAbortTest extends LiveGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** From the connection's end to the run's: the service reacts at once, the simulator at its next token (2 ms). */
    private static final Duration ABORT_DEADLINE = Duration.ofSeconds(1);

    private static final String LONG = "[[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=100000]]";

    private static Map<String, Object> longRun(String word) {
        return Map.of("prompt_input", word + " " + LONG, "max_new_tokens", 100_000);
    }

    private void awaitAbortedRun() {
        await("run aborted").atMost(ABORT_DEADLINE).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            assertThat(this.rpc.isRunning()).isFalse();
            assertThat(this.rpc.status().get("running_session_id").isNull()).isTrue();
        });
    }

    private String textOfShortRun(String word) {
        JsonNode done = this.rpc.result("rkllm_run",
                Map.of("prompt_input", word + " [[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=40]]"));
        assertThat(done.get("finish_reason").asString()).isEqualTo("stop");
        return done.get("text").asString();
    }

    @Test
    void closingTheEventStreamOfARunAbortsItAndNothingLeaksIntoTheNextRun() throws Exception {
        String sessionId;
        String request = GatewayRpc.request("rkllm_run", longRun("FIRSTRUN"));
        try (RawSseClient client = RawSseClient.postRpc(this.port, request)) {
            RawSseClient.Event session = client.nextEvent(WAIT);
            assertThat(session.event()).isEqualTo("session");
            sessionId = session.json().get("session_id").asString();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                text.append(client.nextEvent(RawSseClient.Event::isChunk, WAIT).json().get("delta").asString());
            }
            assertThat(text.toString()).startsWith("FIRSTRUN");
            assertThat(this.rpc.isRunning()).isTrue();
        }

        awaitAbortedRun();

        JsonNode end = this.rpc.result("poll", Map.of("session_id", sessionId)).get("chunk");
        assertThat(end.get("end").asBoolean()).isTrue();
        assertThat(end.get("finish_reason").asString()).isEqualTo("aborted");
        String next = textOfShortRun("SECONDRUN");
        assertThat(next).startsWith("SECONDRUN A river starts small.").doesNotContain("FIRSTRUN");
        assertThat(next).as("the same run again, with nothing left over from the aborted one")
            .isEqualTo(textOfShortRun("SECONDRUN"));
    }

    @Test
    void blockingRunWhoseClientTimesOutIsAborted() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/rpc"))
            .timeout(Duration.ofMillis(500))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(GatewayRpc.request("rkllm_run", longRun("TIMEDOUT"))))
            .build();

        assertThatExceptionOfType(HttpTimeoutException.class)
            .isThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()));

        awaitAbortedRun();
        assertThat(textOfShortRun("AFTERTIMEOUT")).startsWith("AFTERTIMEOUT A river").doesNotContain("TIMEDOUT");
    }

    @Test
    void blockingRunWhoseConnectionDropsIsAborted() throws Exception {
        try (RawHttp http = RawHttp.connect(this.port)) {
            http.post("/rpc", Map.of(), GatewayRpc.request("rkllm_run", longRun("DROPPED")));
            await("run started").atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(this.rpc::isRunning);
        }

        awaitAbortedRun();
        assertThat(textOfShortRun("AFTERDROP")).startsWith("AFTERDROP A river").doesNotContain("DROPPED");
    }

    @Test
    void queuedRunWhoseEventStreamClosesLeavesTheQueueWithoutRunning() throws Exception {
        String blocker = this.rpc.startBlocker("BLOCKER");
        String sessionId;
        String request = GatewayRpc.request("rkllm_run",
                Map.of("prompt_input", "NEVERRAN [[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=10]]"));
        try (RawSseClient client = RawSseClient.postRpc(this.port, request)) {
            sessionId = client.nextEvent(WAIT).json().get("session_id").asString();
            RawSseClient.Event queued = client.nextEvent(WAIT);
            assertThat(queued.event()).isEqualTo("status");
            assertThat(queued.json().get("state").asString()).isEqualTo("queued");
        }

        await("queued run dropped").atMost(ABORT_DEADLINE).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            assertThat(this.rpc.status().get("queued").asInt()).isZero();
            JsonNode polled = this.rpc.result("poll", Map.of("session_id", sessionId, "since_seq", 0));
            assertThat(polled.get("chunks")).as("only the end chunk: it never ran").hasSize(1);
            assertThat(polled.get("chunk").get("finish_reason").asString()).isEqualTo("aborted");
        });
        assertThat(this.rpc.status().get("running_session_id").asString()).isEqualTo(blocker);
    }

    @Test
    void closingASubscriptionToASessionLeavesItsRunGoing() throws Exception {
        String id = this.rpc.result("rkllm_run_async", longRun("WATCHED")).get("session_id").asString();
        try (RawSseClient client = RawSseClient.get(this.port, "/streams/" + id, Map.of())) {
            client.nextEvent(RawSseClient.Event::isChunk, WAIT);
        }

        await("run still going").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> id.equals(this.rpc.status().get("running_session_id").asString()) && this.rpc.isRunning());
    }

}
