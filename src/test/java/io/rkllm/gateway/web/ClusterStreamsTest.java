package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import io.rkllm.gateway.cluster.ClusterGateway;
import io.rkllm.gateway.cluster.RedisServer;
import io.rkllm.gateway.cluster.TwoGateways;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sessions shared by two gateways on one Redis: a run that gateway A took (and its board runs) is read through
 * gateway B by SSE with and without {@code Last-Event-ID}, by {@code poll} and by WebSocket {@code subscribe}, with the
 * same chunks as A has; an abort sent to B stops the run on A's board.
 */
class ClusterStreamsTest {

    @RegisterExtension
    @Order(1)
    static final RedisServer REDIS = new RedisServer();

    @RegisterExtension
    @Order(2)
    static final TwoGateways CLUSTER = new TwoGateways(REDIS);

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    static ClusterGateway a;

    static ClusterGateway b;

    @BeforeAll
    static void gateways() {
        a = CLUSTER.a();
        b = CLUSTER.b();
    }

    @Test
    void aSessionFirstAskedForThroughTheOtherGatewayAnswersWithItsWholeLog() {
        JsonNode run = a.rpc().result("rkllm_run", Map.of("prompt_input",
                "ended [[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=12]]", "model", "alpha"));
        String id = run.get("session_id").asString();

        JsonNode onB = b.rpc().result("poll", Map.of("session_id", id, "since_seq", 0));

        assertThat(onB.get("state").asString()).as("B's first answer for it").isEqualTo("finished");
        assertThat(chunks(onB)).isEqualTo(chunks(a.rpc().result("poll", Map.of("session_id", id, "since_seq", 0))));
    }

    @Test
    void aRunTakenByOneGatewayReadsTheSameThroughTheOther() throws Exception {
        String id = a.rpc().result("rkllm_run_async", Map.of("prompt_input",
                "shared [[sim:prefill_ms=0]][[sim:delay_us=20000]][[sim:tokens=20]]", "model", "alpha"))
            .get("session_id").asString();

        List<JsonNode> bySse;
        try (RawSseClient sse = RawSseClient.get(b.port(), "/streams/" + id, Map.of())) {
            bySse = sse.eventsUntilEndChunk(TIMEOUT).stream().filter(RawSseClient.Event::isChunk)
                .map(RawSseClient.Event::json).toList();
        }
        assertThat(bySse).hasSizeGreaterThan(10);
        assertThat(bySse).extracting((chunk) -> chunk.get("seq").asLong())
            .containsExactlyElementsOf(LongStream.range(0, bySse.size()).boxed().toList());
        assertThat(bySse.get(bySse.size() - 1).get("finish_reason").asString()).isEqualTo("stop");
        String text = String.join("", bySse.stream().map((chunk) -> chunk.get("delta").asString()).toList());
        assertThat(text).contains("Alpine");

        assertThat(chunks(a.rpc().result("poll", Map.of("session_id", id, "since_seq", 0)))).as("poll on A")
            .isEqualTo(bySse);
        assertThat(chunks(b.rpc().result("poll", Map.of("session_id", id, "since_seq", 0)))).as("poll on B")
            .isEqualTo(bySse);

        try (WsClient socket = WsClient.connect(b.port())) {
            socket.result("subscribe", Map.of("session_id", id, "since_seq", 0), TIMEOUT);
            assertThat(WsClient.chunks(socket.notificationsUntilEnd(id, TIMEOUT))).as("subscribe on B")
                .isEqualTo(bySse);
        }

        try (RawSseClient resumed = RawSseClient.get(b.port(), "/streams/" + id, Map.of("Last-Event-ID", "5"))) {
            List<JsonNode> rest = resumed.eventsUntilEndChunk(TIMEOUT).stream().filter(RawSseClient.Event::isChunk)
                .map(RawSseClient.Event::json).toList();
            assertThat(rest).as("resumed on B after seq 5").isEqualTo(bySse.subList(6, bySse.size()));
        }
    }

    @Test
    void aRunStreamedInItsOwnResponseComesFromTheGatewayThatTookItWhicheverBoardRunsIt() throws Exception {
        String request = GatewayRpc.request("rkllm_run", Map.of("prompt_input",
                "streamed [[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=12]]", "model", "beta"));
        List<JsonNode> chunks;
        try (RawSseClient sse = RawSseClient.postRpc(a.port(), request)) {
            chunks = sse.eventsUntilEndChunk(TIMEOUT).stream().filter(RawSseClient.Event::isChunk)
                .map(RawSseClient.Event::json).toList();
        }

        assertThat(chunks.get(chunks.size() - 1).get("finish_reason").asString()).isEqualTo("stop");
        assertThat(String.join("", chunks.stream().map((chunk) -> chunk.get("delta").asString()).toList()))
            .as("the text of beta, on B's board").contains("Baltic");
    }

    @Test
    void anAbortSentToTheOtherGatewayStopsTheRunOnItsBoardWithinASecond() {
        String id = a.rpc().result("rkllm_run_async", Map.of("prompt_input",
                "long [[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=100000]]", "model", "alpha",
                "max_new_tokens", 100_000)).get("session_id").asString();
        await("tokens on A's board").atMost(TIMEOUT)
            .until(() -> a.rpc().result("poll", Map.of("session_id", id, "since_seq", 0)).get("chunks").size() > 3);

        long sent = System.nanoTime();
        JsonNode aborted = b.rpc().result("rkllm_abort", Map.of("session_id", id));
        assertThat(aborted.get("aborted").asBoolean()).isTrue();
        await("the end chunk on A").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
            .until(() -> "aborted".equals(a.rpc().result("poll", Map.of("session_id", id)).get("state").asString()));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(1));
        JsonNode end = a.rpc().result("poll", Map.of("session_id", id, "since_seq", 0)).get("chunk");
        assertThat(end.get("finish_reason").asString()).isEqualTo("aborted");
        await("A's NPU free").atMost(TIMEOUT).until(() -> !a.rpc().isRunning());
    }

    private static List<JsonNode> chunks(JsonNode poll) {
        return poll.get("chunks").valueStream().toList();
    }

}
