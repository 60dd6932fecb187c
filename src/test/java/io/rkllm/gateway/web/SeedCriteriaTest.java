package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The success criteria of the original project over a real port: async runs, the streaming callback test, and six
 * concurrent sessions that queue, report their place and complete in order without mixing their text.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SeedCriteriaTest extends LiveGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private RawSseClient stream(String sessionId) throws Exception {
        return stream("/streams/" + sessionId, Map.of());
    }

    private static String text(List<RawSseClient.Event> events) {
        StringBuilder text = new StringBuilder();
        events.stream()
            .filter(RawSseClient.Event::isChunk)
            .forEach((chunk) -> text.append(chunk.json().get("delta").asString()));
        return text.toString();
    }

    @Test
    void asyncRunStartsStreamingAtOnceWhenTheNpuIsFree() throws Exception {
        JsonNode started = this.rpc.result("rkllm_run_async",
                Map.of("prompt_input", "ASYNC [[sim:prefill_ms=0]][[sim:delay_us=1000]][[sim:tokens=5]]"));

        String id = started.get("session_id").asString();
        assertThat(id).matches("[A-Za-z0-9_-]{22}");
        assertThat(started.get("status").asString()).isEqualTo("streaming_started");
        assertThat(started.has("queue_position")).isFalse();
        assertThat(started.get("stream_url").asString()).isEqualTo("/streams/" + id);
        List<RawSseClient.Event> events = stream(id).eventsUntilEndChunk(WAIT);
        assertThat(text(events)).startsWith("ASYNC ");
    }

    @Test
    void streamingCallbackTestSendsTheMockTokensAsChunksThenTheEndChunk() throws Exception {
        JsonNode registered = this.rpc.result("test_streaming_callback",
                Map.of("mock_tokens", List.of("Hello", " world", "!"), "delay_ms", 100));

        assertThat(registered.get("callback_registered").asBoolean()).isTrue();
        assertThat(registered.get("tokens_processed").asInt()).isEqualTo(3);
        String id = registered.get("session_id").asString();
        assertThat(id).isNotBlank();
        List<RawSseClient.Event> events = stream(id).eventsUntilEndChunk(WAIT);
        List<JsonNode> chunks = events.stream().filter(RawSseClient.Event::isChunk).map(RawSseClient.Event::json)
            .toList();
        assertThat(chunks).extracting((chunk) -> chunk.get("delta").asString())
            .containsExactly("Hello", " world", "!", "");
        assertThat(text(events)).isEqualTo("Hello world!");
        JsonNode end = chunks.get(chunks.size() - 1);
        assertThat(end.get("end").asBoolean()).isTrue();
        assertThat(end.get("finish_reason").asString()).isEqualTo("stop");
        assertThat(chunks.subList(0, 3)).allSatisfy((chunk) -> assertThat(chunk.get("end").asBoolean()).isFalse());
    }

    @Test
    void sixConcurrentSessionsQueueReportTheirPlaceAndCompleteInOrderWithTheirOwnText() throws Exception {
        String blocker = this.rpc.startBlocker("BLOCKER");
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            JsonNode started = this.rpc.result("rkllm_run_async", Map.of("prompt_input",
                    "S" + i + " ECHO" + i + "X [[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=40]]"));
            assertThat(started.get("status").asString()).isEqualTo("queued");
            assertThat(started.get("queue_position").asInt()).isEqualTo(i + 1);
            sessions.add(started.get("session_id").asString());
        }
        List<RawSseClient> streams = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            RawSseClient client = stream(sessions.get(i));
            RawSseClient.Event first = client.nextEvent(WAIT);
            assertThat(first.event()).isEqualTo("status");
            assertThat(first.id()).isNull();
            assertThat(first.json().get("state").asString()).isEqualTo("queued");
            assertThat(first.json().get("position").asInt()).isEqualTo(i + 1);
            streams.add(client);
        }

        assertThat(this.rpc.result("rkllm_abort", Map.of("session_id", blocker)).get("aborted").asBoolean()).isTrue();

        List<Long> endTimes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            List<RawSseClient.Event> events = streams.get(i).eventsUntilEndChunk(Duration.ofSeconds(20));
            List<RawSseClient.Event> statuses = events.stream().filter(RawSseClient.Event::isStatus).toList();
            assertThat(statuses).isNotEmpty();
            assertThat(statuses.get(statuses.size() - 1).json().get("state").asString()).isEqualTo("running");
            List<Integer> positions = statuses.stream()
                .filter((status) -> status.json().get("state").asString().equals("queued"))
                .map((status) -> status.json().get("position").asInt())
                .toList();
            assertThat(positions).as("queue positions of S%d", i).isSortedAccordingTo((a, b) -> b - a)
                .allMatch((position) -> position >= 1 && position <= 6);
            List<RawSseClient.Event> chunks = events.stream().filter(RawSseClient.Event::isChunk).toList();
            assertThat(chunks).extracting((chunk) -> chunk.json().get("seq").asLong())
                .containsExactlyElementsOf(LongStream.rangeClosed(0, 40).boxed().toList());
            JsonNode end = chunks.get(chunks.size() - 1).json();
            assertThat(end.get("finish_reason").asString()).isEqualTo("stop");
            String text = text(events);
            assertThat(text).startsWith("S" + i + " ECHO" + i + "X ").doesNotContain("BLOCKER");
            int self = i;
            IntStream.range(0, 6).filter((other) -> other != self)
                .forEach((other) -> assertThat(text).doesNotContain("ECHO" + other + "X"));
            endTimes.add(chunks.get(chunks.size() - 1).receivedNanos());
        }
        assertThat(endTimes).as("end chunks arrive in submission order").isSorted();
        JsonNode blockerEnd = this.rpc.result("poll", Map.of("session_id", blocker)).get("chunk");
        assertThat(blockerEnd.get("finish_reason").asString()).isEqualTo("aborted");
    }

}
