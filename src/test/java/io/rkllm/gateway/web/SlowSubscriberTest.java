package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A subscriber that reads nothing slows neither the native thread nor another subscriber of the same session: the
 * other one gets everything and the run ends while the stalled one still sits on unread bytes.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SlowSubscriberTest extends LiveGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Far more output than the socket buffers between the service and a client hold (about 8 MB of events). */
    private static final int TOKENS = 130_000;

    private int subscribers(String id) {
        JsonNode session = this.rpc.listedSession(id);
        assertThat(session).as("session %s listed", id).isNotNull();
        return session.get("subscribers").asInt();
    }

    @Test
    void stalledSubscriberHoldsUpNeitherTheRunNorTheOtherSubscriber() throws Exception {
        String blocker = this.rpc.startBlocker("BLOCKER");
        JsonNode started = this.rpc.result("rkllm_run_async", Map.of("prompt_input",
                "[[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=" + TOKENS + "]]", "max_new_tokens", 131_072));
        assertThat(started.get("status").asString()).isEqualTo("queued");
        String id = started.get("session_id").asString();

        try (RawHttp stalled = RawHttp.connect(this.port, 4096);
                RawSseClient reader = RawSseClient.get(this.port, "/streams/" + id, Map.of())) {
            stalled.get("/streams/" + id, Map.of());
            await("both subscribed").atMost(WAIT).until(() -> subscribers(id) == 2);
            this.rpc.result("rkllm_abort", Map.of("session_id", blocker));

            JsonNode end = reader.nextEvent((event) -> event.isChunk() && event.data().contains("\"end\":true"), WAIT)
                .json();

            assertThat(end.get("seq").asLong()).isEqualTo(TOKENS);
            assertThat(end.get("finish_reason").asString()).isEqualTo("stop");
            assertThat(reader.bodyEnds(WAIT)).isTrue();
            await("run over").atMost(WAIT).untilAsserted(() -> {
                assertThat(this.rpc.isRunning()).isFalse();
                assertThat(this.rpc.status().get("running_session_id").isNull()).isTrue();
            });
            JsonNode polled = this.rpc.result("poll", Map.of("session_id", id, "since_seq", TOKENS)).get("chunk");
            assertThat(polled.get("end").asBoolean()).isTrue();
            assertThat(subscribers(id)).as("the stalled subscriber is still attached, far behind").isEqualTo(1);
            assertThat(stalled.available()).as("bytes waiting, unread, at the stalled subscriber").isPositive();
        }

        await("stalled subscriber gone").atMost(WAIT).until(() -> subscribers(id) == 0);
    }

}
