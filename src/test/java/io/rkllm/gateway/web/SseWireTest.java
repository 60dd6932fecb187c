package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /streams/{id}} and the streamed {@code rkllm_run} as bytes on a real socket: headers, event framing,
 * seq ids, heartbeats, resumes, the replay window, the end of the body and the 404 of an unknown session.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.streams.heartbeat=300ms", "rkllm.streams.replay-limit=8" })
class SseWireTest extends LiveGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final String FAST = "[[sim:prefill_ms=0]][[sim:delay_us=0]]";

    /** A blocking run of {@code tokens} tokens that has finished: chunks 0 to {@code tokens}, the end one last. */
    private String finishedRun(String word, int tokens) {
        JsonNode done = this.rpc.result("rkllm_run",
                Map.of("prompt_input", word + " " + FAST + "[[sim:tokens=" + tokens + "]]"));
        assertThat(done.get("finish_reason").asString()).isEqualTo("stop");
        return done.get("session_id").asString();
    }

    /** A run waiting in the queue behind a blocker, so that a subscriber sees it from its first status. */
    private String queuedRun(String prompt) {
        JsonNode started = this.rpc.result("rkllm_run_async", Map.of("prompt_input", prompt));
        assertThat(started.get("status").asString()).isEqualTo("queued");
        return started.get("session_id").asString();
    }

    private static List<Long> ids(List<RawSseClient.Event> events) {
        return events.stream().filter(RawSseClient.Event::isChunk).map((event) -> Long.parseLong(event.id())).toList();
    }

    @Test
    void streamAnswersWithEventStreamHeadersThatKeepProxiesFromBuffering() throws Exception {
        String session = finishedRun("HEADERS", 3);

        RawSseClient client = stream("/streams/" + session, Map.of());

        assertThat(client.head().status()).isEqualTo(200);
        assertThat(client.head().header("Content-Type")).startsWith("text/event-stream");
        assertThat(client.head().header("Cache-Control")).isEqualTo("no-cache");
        assertThat(client.head().header("X-Accel-Buffering")).isEqualTo("no");
        assertThat(client.head().header("Transfer-Encoding")).isEqualTo("chunked");
    }

    @Test
    void chunksCarryTheirSeqAsIdWithoutGapsAndStatusEventsCarryNone() throws Exception {
        String blocker = this.rpc.startBlocker("BLOCKER");
        String session = queuedRun("WIRE [[sim:prefill_ms=0]][[sim:delay_us=1000]][[sim:tokens=20]]");
        RawSseClient client = stream("/streams/" + session, Map.of());
        RawSseClient.Event queued = client.nextEvent(WAIT);
        this.rpc.result("rkllm_abort", Map.of("session_id", blocker));

        List<RawSseClient.Event> events = new ArrayList<>(List.of(queued));
        events.addAll(client.eventsUntilEndChunk(WAIT));

        assertThat(queued.event()).isEqualTo("status");
        assertThat(queued.json()).isEqualTo(JsonMapper.shared().readTree("{\"state\":\"queued\",\"position\":1}"));
        List<RawSseClient.Event> statuses = events.stream().filter(RawSseClient.Event::isStatus).toList();
        assertThat(statuses).extracting((event) -> event.json().get("state").asString())
            .containsExactly("queued", "running");
        assertThat(statuses).allSatisfy((status) -> {
            assertThat(status.id()).isNull();
            assertThat(status.raw()).noneMatch((line) -> line.startsWith("id"));
        });
        List<RawSseClient.Event> chunks = events.stream().filter(RawSseClient.Event::isChunk).toList();
        assertThat(events).filteredOn((event) -> !event.isChunk() && !event.isStatus()).isEmpty();
        assertThat(ids(chunks)).containsExactlyElementsOf(LongStream.rangeClosed(0, 20).boxed().toList());
        assertThat(chunks).allSatisfy((chunk) -> {
            assertThat(chunk.raw().get(0)).matches("id: ?\\d+");
            assertThat(chunk.raw()).anyMatch((line) -> line.matches("event: ?chunk"));
            assertThat(chunk.json().get("seq").asLong()).isEqualTo(Long.parseLong(chunk.id()));
        });
        StringBuilder text = new StringBuilder();
        chunks.forEach((chunk) -> text.append(chunk.json().get("delta").asString()));
        assertThat(text.toString()).startsWith("WIRE ");
        JsonNode end = chunks.get(chunks.size() - 1).json();
        assertThat(end.get("end").asBoolean()).isTrue();
        assertThat(end.get("finish_reason").asString()).isEqualTo("stop");
        assertThat(client.bodyEnds(WAIT)).as("the body ends after the end chunk").isTrue();
    }

    @Test
    void keepAliveCommentArrivesWhileTheRunIsSilent() throws Exception {
        JsonNode started = this.rpc.result("rkllm_run_async",
                Map.of("prompt_input", "SILENT [[sim:prefill_ms=1000]][[sim:delay_us=0]][[sim:tokens=3]]"));
        RawSseClient client = stream("/streams/" + started.get("session_id").asString(), Map.of());

        RawSseClient.Event comment = client.nextEvent(RawSseClient.Event::isComment, Duration.ofSeconds(2));

        assertThat(comment.comment()).isEqualTo("keep-alive");
        assertThat(comment.raw()).containsExactly(": keep-alive");
        assertThat(comment.id()).isNull();
    }

    @Test
    void lastEventIdHeaderResumesAfterThatSeq() throws Exception {
        String session = finishedRun("RESUME", 7);

        RawSseClient client = stream("/streams/" + session, Map.of("Last-Event-ID", "5"));
        List<RawSseClient.Event> events = client.eventsUntilEndChunk(WAIT);

        assertThat(events).allMatch(RawSseClient.Event::isChunk);
        assertThat(ids(events)).containsExactly(6L, 7L);
        assertThat(client.bodyEnds(WAIT)).isTrue();
    }

    @Test
    void lastEventIdQueryParameterResumesLikeTheHeader() throws Exception {
        String session = finishedRun("RESUME", 7);

        RawSseClient client = stream("/streams/" + session + "?last_event_id=5", Map.of());
        List<RawSseClient.Event> events = client.eventsUntilEndChunk(WAIT);

        assertThat(events).allMatch(RawSseClient.Event::isChunk);
        assertThat(ids(events)).containsExactly(6L, 7L);
        assertThat(client.bodyEnds(WAIT)).isTrue();
    }

    @Test
    void lastEventIdThatIsNoSeqIsRefused() throws Exception {
        String session = finishedRun("NOSEQ", 3);

        for (String lastEventId : List.of("abc", "-5", "-1", "1.5")) {
            try (RawHttp http = RawHttp.connect(this.port)) {
                http.get("/streams/" + session, Map.of("Last-Event-ID", lastEventId));

                assertThat(http.head().status()).as("Last-Event-ID %s", lastEventId).isEqualTo(400);
                JsonNode body = JsonMapper.shared().readTree(http.readBody());
                assertThat(body.get("error").get("code").asInt()).isEqualTo(-32602);
                assertThat(body.get("error").get("message").asString()).contains("Last-Event-ID");
            }
        }
    }

    @Test
    void lastEventIdBeyondTheEndResumesWithNothingAndNoClaimOfLostChunks() throws Exception {
        String session = finishedRun("BEYOND", 3);

        RawSseClient client = stream("/streams/" + session, Map.of("Last-Event-ID", Long.toString(Long.MAX_VALUE)));

        assertThat(client.head().status()).isEqualTo(200);
        assertThat(client.bodyEnds(WAIT)).as("the body ends without any event").isTrue();
    }

    @Test
    void resumeFromBeforeTheReplayWindowStartsWithAnErrorEvent() throws Exception {
        String session = finishedRun("WINDOW", 30);

        RawSseClient client = stream("/streams/" + session, Map.of("Last-Event-ID", "0"));
        List<RawSseClient.Event> events = client.eventsUntilEndChunk(WAIT);

        RawSseClient.Event error = events.get(0);
        assertThat(error.event()).isEqualTo("error");
        assertThat(error.id()).isNull();
        assertThat(error.json().get("first_available_seq").asLong()).isEqualTo(23);
        assertThat(error.json().get("message").asString()).contains("replay-limit");
        assertThat(ids(events.subList(1, events.size()))).containsExactlyElementsOf(
                LongStream.rangeClosed(23, 30).boxed().toList());
        assertThat(client.bodyEnds(WAIT)).isTrue();
    }

    @Test
    void unknownSessionIsNotFoundWithAJsonRpcErrorBody() throws Exception {
        try (RawHttp http = RawHttp.connect(this.port)) {
            http.get("/streams/unknown", Map.of("Accept", "text/event-stream"));

            assertThat(http.head().status()).isEqualTo(404);
            assertThat(http.head().header("Content-Type")).startsWith("application/json");
            JsonNode body = JsonMapper.shared().readTree(http.readBody());
            assertThat(body.propertyNames()).containsExactlyInAnyOrder("jsonrpc", "id", "error");
            assertThat(body.get("jsonrpc").asString()).isEqualTo("2.0");
            assertThat(body.get("id").isNull()).isTrue();
            assertThat(body.get("error").get("code").asInt()).isEqualTo(-32001);
            assertThat(body.get("error").get("message").asString()).contains("unknown");
        }
    }

    @Test
    void runStreamedInThePostResponseNamesItsSessionFirstAndEndsAfterTheEndChunk() throws Exception {
        String request = GatewayRpc.request("rkllm_run",
                Map.of("prompt_input", "POSTED [[sim:prefill_ms=0]][[sim:delay_us=1000]][[sim:tokens=12]]"));
        try (RawSseClient client = RawSseClient.postRpc(this.port, request)) {
            assertThat(client.head().status()).isEqualTo(200);
            assertThat(client.head().header("Content-Type")).startsWith("text/event-stream");
            assertThat(client.head().header("Cache-Control")).isEqualTo("no-cache");
            assertThat(client.head().header("X-Accel-Buffering")).isEqualTo("no");

            RawSseClient.Event session = client.nextEvent(WAIT);
            List<RawSseClient.Event> events = client.eventsUntilEndChunk(WAIT);

            assertThat(session.event()).isEqualTo("session");
            String id = session.json().get("session_id").asString();
            assertThat(session.json().get("stream_url").asString()).isEqualTo("/streams/" + id);
            assertThat(ids(events)).containsExactlyElementsOf(LongStream.rangeClosed(0, 12).boxed().toList());
            StringBuilder text = new StringBuilder();
            events.stream().filter(RawSseClient.Event::isChunk)
                .forEach((chunk) -> text.append(chunk.json().get("delta").asString()));
            assertThat(text.toString()).startsWith("POSTED ");
            assertThat(client.bodyEnds(WAIT)).as("the body ends after the end chunk").isTrue();
        }
    }

}
