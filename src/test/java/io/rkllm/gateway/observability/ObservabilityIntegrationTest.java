package io.rkllm.gateway.observability;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamManagerStatus;
import io.rkllm.gateway.stream.StreamSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health, {@code /actuator/streams} and {@code /actuator/prometheus} over a real socket, on the bundled simulator
 * config (the {@code application.yml} of the working directory).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ObservabilityIntegrationTest {

    private static final String FAST = "[[sim:prefill_ms=0]][[sim:delay_us=0]]";

    /** Runs until aborted. */
    private static final String SLOW = "long [[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=10000]]";

    @LocalServerPort
    private int port;

    @Autowired
    private RkllmRuntime runtime;

    @Autowired
    private StreamManager manager;

    private WebTestClient client;

    @BeforeEach
    void connect() throws Exception {
        this.client = WebTestClient.bindToServer()
            .baseUrl("http://localhost:" + this.port)
            .responseTimeout(Duration.ofSeconds(10))
            .build();
        this.runtime.initialization().get(10, TimeUnit.SECONDS);
    }

    @Test
    void healthIsUpWithTheRuntimeDetails() {
        JsonNode health = get("/actuator/health", HttpStatus.OK);

        assertThat(health.path("status").asString()).isEqualTo("UP");
        JsonNode rkllm = health.path("components").path("rkllm");
        assertThat(rkllm.path("status").asString()).isEqualTo("UP");
        JsonNode details = rkllm.path("details");
        assertThat(details.path("library").asString()).endsWith("target/native/1.3/librkllmrt.so");
        assertThat(details.path("abi").asString()).isEqualTo("1.3");
        assertThat(details.path("version").asString()).isEqualTo("1.3.0");
        assertThat(details.path("model").asString()).isEqualTo("native-libs/models/tiny-sim.rkllm");
        assertThat(details.path("state").asString()).isEqualTo("ready");
        assertThat(details.path("busy").isBoolean()).isTrue();
        assertThat(details.path("queue_depth").isInt()).isTrue();
        assertThat(details.has("reason")).isFalse();
    }

    @Test
    void readinessIncludesTheRuntimeAndLivenessDoesNot() {
        JsonNode readiness = get("/actuator/health/readiness", HttpStatus.OK);
        assertThat(readiness.path("status").asString()).isEqualTo("UP");
        assertThat(readiness.path("components").propertyNames()).containsExactlyInAnyOrder("readinessState", "rkllm");
        assertThat(readiness.path("components").path("rkllm").path("status").asString()).isEqualTo("UP");

        JsonNode liveness = get("/actuator/health/liveness", HttpStatus.OK);
        assertThat(liveness.path("status").asString()).isEqualTo("UP");
        assertThat(liveness.path("components").has("rkllm")).isFalse();
    }

    @Test
    void streamsReportsTheManagerStatusOfAServiceWithoutSessions() {
        // The context is shared with other test classes, whose sessions may still be held: start from none.
        this.manager.sessions().forEach((session) -> this.manager.remove(session.id()));

        JsonNode streams = get("/actuator/streams", HttpStatus.OK);

        StreamManagerStatus status = this.manager.status();
        assertThat(streams.path("initialized").asBoolean()).isTrue();
        assertThat(streams.path("active_sessions").asInt()).isZero();
        assertThat(streams.path("max_sessions").asInt()).isPositive().isEqualTo(status.maxSessions());
        assertThat(streams.path("queued").asInt()).isZero();
        assertThat(streams.has("running_session_id")).isTrue();
        assertThat(streams.path("running_session_id").isNull()).isTrue();
        assertThat(streams.path("sessions_created").asLong()).isEqualTo(status.sessionsCreated());
        assertThat(streams.path("sessions_evicted").asLong()).isEqualTo(status.sessionsEvicted());
        assertThat(streams.path("sessions").isArray()).isTrue();
        assertThat(streams.path("sessions").isEmpty()).isTrue();
    }

    @Test
    void finishedSessionsAreListedWithTheirFieldsAndTheMetersMoved() {
        double tokensBefore = sample(scrape(), "rkllm_tokens_total");
        StreamSession synthetic = this.manager.startSynthetic(List.of("Hello", " world", "!"), Duration.ofMillis(10),
                Caller.UNIDENTIFIED, null).session();
        StreamSession simulated = this.manager.start(RunRequest.prompt("hi" + FAST + "[[sim:tokens=20]]"), "rpc",
                Caller.UNIDENTIFIED, null).block().session();
        assertThat(awaitEnd(synthetic).finishReason()).isEqualTo("stop");
        assertThat(awaitEnd(simulated).finishReason()).isIn("stop", "length");

        JsonNode streams = get("/actuator/streams", HttpStatus.OK);

        assertThat(streams.path("active_sessions").asInt()).isEqualTo(streams.path("sessions").size())
            .isGreaterThanOrEqualTo(2);
        JsonNode test = listed(streams, synthetic.id());
        assertThat(test.path("state").asString()).isEqualTo("finished");
        assertThat(test.path("seq").asLong()).isEqualTo(4);
        assertThat(test.path("subscribers").asInt()).isZero();
        assertThat(test.path("transport").asString()).isEqualTo("test");
        assertThat(test.path("created").asString()).isEqualTo(synthetic.created().toString());
        assertThat(Instant.parse(test.path("last_activity").asString())).isEqualTo(synthetic.lastActivity());
        assertThat(test.has("queue_position")).isFalse();
        JsonNode rpc = listed(streams, simulated.id());
        assertThat(rpc.path("state").asString()).isEqualTo("finished");
        assertThat(rpc.path("seq").asLong()).isEqualTo(simulated.nextSeq()).isGreaterThan(1);
        assertThat(rpc.path("transport").asString()).isEqualTo("rpc");

        String scrape = scrape();
        assertThat(sample(scrape, "rkllm_tokens_total")).isGreaterThan(tokensBefore);
        assertThat(sample(scrape, "rkllm_ttft_seconds_count")).isGreaterThanOrEqualTo(2);
        assertThat(sample(scrape, "rkllm_callback_duration_seconds_count")).isPositive();
        assertThat(sample(scrape, "rkllm_sessions_active_sessions")).isEqualTo(this.manager.status().activeSessions());
        assertThat(sample(scrape, "rkllm_queue_depth_sessions")).isZero();
        assertThat(scrape).contains("# HELP rkllm_sessions_evicted_sessions_total ",
                "# TYPE rkllm_ttft_seconds summary", "# TYPE rkllm_sessions_active_sessions gauge");
    }

    @Test
    void aQueuedSessionShowsItsPlaceAndHealthShowsTheBusyNpu() {
        StreamSession running = this.manager.start(RunRequest.prompt(SLOW), "rpc", Caller.UNIDENTIFIED, null)
            .block()
            .session();
        StreamSession queued = this.manager.start(RunRequest.prompt("next" + FAST), "rpc", Caller.UNIDENTIFIED, null)
            .block()
            .session();
        try {
            JsonNode streams = get("/actuator/streams", HttpStatus.OK);
            assertThat(streams.path("queued").asInt()).isEqualTo(1);
            assertThat(streams.path("running_session_id").asString()).isEqualTo(running.id());
            assertThat(listed(streams, queued.id()).path("state").asString()).isEqualTo("queued");
            assertThat(listed(streams, queued.id()).path("queue_position").asInt()).isEqualTo(1);
            assertThat(listed(streams, running.id()).has("queue_position")).isFalse();

            // The run starts on the runtime's worker thread: busy turns true once rkllm_run is under way.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode details = get("/actuator/health", HttpStatus.OK).path("components").path("rkllm")
                    .path("details");
                assertThat(details.path("busy").asBoolean()).isTrue();
                assertThat(details.path("queue_depth").asInt()).isEqualTo(1);
                assertThat(details.path("running_session").asString()).isEqualTo(running.id());
            });
        }
        finally {
            this.manager.remove(queued.id());
            this.manager.remove(running.id());
        }
        assertThat(awaitEnd(running).finishReason()).isEqualTo("aborted");
        assertThat(awaitEnd(queued).finishReason()).isEqualTo("aborted");
    }

    @Test
    void deleteAbortsARunningSessionAndForgetsIt() {
        StreamSession session = this.manager.start(RunRequest.prompt(SLOW), "rpc", Caller.UNIDENTIFIED, null)
            .block()
            .session();

        this.client.delete().uri("/actuator/streams/{id}", session.id()).exchange().expectStatus().isNoContent();

        assertThat(awaitEnd(session).finishReason()).isEqualTo("aborted");
        JsonNode streams = get("/actuator/streams", HttpStatus.OK);
        assertThat(streams.path("sessions").valueStream().map((entry) -> entry.path("id").asString()))
            .doesNotContain(session.id());
        assertThat(this.manager.find(session.id())).isEmpty();
    }

    @Test
    void jsonRpcCallsAreCountedByMethodAndOutcome() {
        String ping = "rkllm_requests_total{method=\"ping\",outcome=\"success\"}";
        String unknown = "rkllm_requests_total{method=\"unknown\",outcome=\"method_not_found\"}";
        String before = scrape();
        double pingsBefore = before.contains(ping) ? sample(before, ping) : 0;
        double unknownBefore = before.contains(unknown) ? sample(before, unknown) : 0;

        rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
        rpc("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"no_such_method\"}");

        String after = scrape();
        assertThat(sample(after, ping)).isEqualTo(pingsBefore + 1);
        assertThat(sample(after, unknown)).isEqualTo(unknownBefore + 1);
        assertThat(after).doesNotContain("method=\"no_such_method\"");
    }

    @Test
    void requestsAreObservedButNotEachSecurityFilterOfThem() {
        rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");

        String scrape = scrape();
        assertThat(scrape).contains("http_server_requests_seconds_count{");
        assertThat(scrape).as("an observation per security filter lives as long as its exchange (an open stream)")
            .doesNotContain("spring_security_");
    }

    @Test
    void oneSessionReadsAsItsListEntryWithoutBeingKeptAlive() {
        StreamSession session = this.manager.startSynthetic(List.of("one"), Duration.ZERO, Caller.UNIDENTIFIED,
                null).session();
        awaitEnd(session);
        Instant lastActivity = session.lastActivity();

        JsonNode one = get("/actuator/streams/" + session.id(), HttpStatus.OK);

        assertThat(one).isEqualTo(listed(get("/actuator/streams", HttpStatus.OK), session.id()));
        assertThat(one.path("id").asString()).isEqualTo(session.id());
        assertThat(one.path("state").asString()).isEqualTo("finished");
        assertThat(one.path("seq").asLong()).isEqualTo(2);
        assertThat(session.lastActivity()).isEqualTo(lastActivity);
    }

    @Test
    void readOfAnUnknownSessionAnswers404() {
        this.client.get().uri("/actuator/streams/{id}", "no-such-session").exchange().expectStatus().isNotFound();
    }

    @Test
    void deleteOfAnUnknownSessionAnswers404() {
        this.client.delete().uri("/actuator/streams/{id}", "no-such-session").exchange().expectStatus().isNotFound();
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

    private void rpc(String body) {
        this.client.post()
            .uri("/rpc")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isOk();
    }

    private String scrape() {
        String body = this.client.get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
        assertThat(body).isNotNull();
        return body;
    }

    /** The value of a sample in Prometheus text, summed over its label sets; fails when there is none. */
    private static double sample(String scrape, String name) {
        List<String> lines = scrape.lines()
            .filter((line) -> line.startsWith(name + " ") || line.startsWith(name + "{"))
            .toList();
        assertThat(lines).as("samples of %s", name).isNotEmpty();
        return lines.stream().mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .sum();
    }

    private static JsonNode listed(JsonNode streams, String id) {
        return streams.path("sessions")
            .valueStream()
            .filter((entry) -> id.equals(entry.path("id").asString()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("session " + id + " not listed in " + streams));
    }

    private static StreamChunk awaitEnd(StreamSession session) {
        return session.end().orTimeout(10, TimeUnit.SECONDS).join();
    }

}
