package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Idle sessions go away on their own: one that nobody watches or names is evicted after the idle timeout (a running
 * one aborted first), while one with a subscriber stays however long it runs.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.streams.idle-timeout=1s", "rkllm.streams.eviction-interval=200ms" })
class SessionCleanupTest extends LiveGatewayTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private long evicted() {
        return this.rpc.status().get("sessions_evicted").asLong();
    }

    @Test
    void finishedSessionThatNobodyWatchesIsEvicted() {
        long evictedBefore = evicted();
        String id = this.rpc.result("test_streaming_callback", Map.of("mock_tokens", List.of("a", "b")))
            .get("session_id")
            .asString();
        assertThat(this.rpc.listedSession(id)).isNotNull();

        await("eviction").atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(this.rpc.listedSession(id)).isNull();
            assertThat(evicted()).isGreaterThan(evictedBefore);
        });

        assertThat(this.rpc.error("poll", Map.of("session_id", id)).get("code").asInt()).isEqualTo(-32001);
        assertThat(this.rpc.error("rkllm_abort", Map.of("session_id", id)).get("code").asInt()).isEqualTo(-32001);
    }

    @Test
    void runningSessionThatNobodyWatchesIsAbortedAndEvicted() {
        long evictedBefore = evicted();
        String id = this.rpc.result("rkllm_run_async", Map.of("prompt_input",
                "IDLE [[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=100000]]", "max_new_tokens", 100_000))
            .get("session_id")
            .asString();
        assertThat(this.rpc.status().get("running_session_id").asString()).isEqualTo(id);
        assertThat(this.rpc.listedSession(id)).isNotNull();

        await("eviction").atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(this.rpc.listedSession(id)).isNull();
            assertThat(this.rpc.status().get("running_session_id").isNull()).isTrue();
            assertThat(this.rpc.isRunning()).isFalse();
            assertThat(evicted()).isGreaterThan(evictedBefore);
        });

        assertThat(this.rpc.error("poll", Map.of("session_id", id)).get("code").asInt()).isEqualTo(-32001);
    }

    @Test
    void sessionWithASubscriberOutlivesTheIdleTimeout() throws Exception {
        String id = this.rpc.result("test_streaming_callback",
                Map.of("mock_tokens", Collections.nCopies(30, "x"), "delay_ms", 100))
            .get("session_id")
            .asString();

        try (RawSseClient client = RawSseClient.get(this.port, "/streams/" + id, Map.of())) {
            List<RawSseClient.Event> events = client.eventsUntilEndChunk(DEADLINE);

            JsonNode end = events.get(events.size() - 1).json();
            assertThat(end.get("seq").asLong()).isEqualTo(30);
            assertThat(end.get("finish_reason").asString()).isEqualTo("stop");
        }
    }

}
