package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /ws} over real sockets with the simulator: calls and batches answered in frames, the chunks of sessions
 * started or subscribed to pushed as notifications in seq order, runs started on a socket aborted when it closes,
 * bad frames refused with their close codes while the service goes on serving.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.streams.heartbeat=300ms", "rkllm.limits.max-request-bytes=64KB" })
class WebSocketTest extends LiveGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final String FAST = " [[sim:prefill_ms=0]][[sim:delay_us=0]]";

    private static final String LONG = " [[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=100000]]";

    private final List<WsClient> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        this.sockets.forEach(WsClient::close);
    }

    private WsClient socket() {
        WsClient socket = WsClient.connect(this.port);
        this.sockets.add(socket);
        return socket;
    }

    private static Map<String, Object> prompt(String text) {
        return Map.of("prompt_input", text, "max_new_tokens", 100_000);
    }

    /** The seqs 0 to the last, the end chunk last: no gap, no repeat. */
    private static void assertWhole(List<JsonNode> chunks) {
        assertThat(chunks).extracting((chunk) -> chunk.get("seq").asLong())
            .containsExactlyElementsOf(LongStream.range(0, chunks.size()).boxed().toList());
        assertThat(chunks.get(chunks.size() - 1).get("end").asBoolean()).isTrue();
    }

    private static String text(List<JsonNode> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.forEach((chunk) -> text.append(chunk.get("delta").asString()));
        return text.toString();
    }

    private List<JsonNode> polled(String sessionId, long sinceSeq) {
        List<JsonNode> chunks = new ArrayList<>();
        this.rpc.result("poll", Map.of("session_id", sessionId, "since_seq", sinceSeq))
            .get("chunks")
            .forEach(chunks::add);
        return chunks;
    }

    private JsonNode endChunk(String sessionId) {
        return this.rpc.result("poll", Map.of("session_id", sessionId, "since_seq", 0)).get("chunk");
    }

    @Test
    void withoutKeysASocketGetsItsSubprotocolAndAnAuthFirstMessageIsAnsweredAndChangesNothing() throws Exception {
        WsClient page = WsClient.connect(this.port, "rkllm.jsonrpc", "bearer.any-key");
        this.sockets.add(page);
        assertThat(page.subprotocol()).isEqualTo("rkllm.jsonrpc");

        JsonNode auth = page.result("auth", Map.of("api_key", "any-key"), WAIT);
        assertThat(auth.get("key_name").isNull()).isTrue();
        assertThat(auth.get("role").asString()).as("without keys everyone is an admin").isEqualTo("admin");
        assertThat(page.result("ping", Map.of(), WAIT).get("pong").asBoolean()).isTrue();
        assertThat(page.call("auth", Map.of(), WAIT).at("/error/code").asInt())
            .as("only a first message is an auth").isEqualTo(-32601);
    }

    @Test
    void twoSocketsStreamTheirOwnRunsAndNeverSeeEachOthersChunks() throws Exception {
        WsClient first = socket();
        WsClient second = socket();

        String one = first.result("rkllm_run_async", prompt("FIRST" + FAST + "[[sim:tokens=60]]"), WAIT)
            .get("session_id").asString();
        String two = second.result("rkllm_run_async", prompt("SECOND" + FAST + "[[sim:tokens=40]]"), WAIT)
            .get("session_id").asString();
        List<JsonNode> firstChunks = WsClient.chunks(first.notificationsUntilEnd(one, WAIT));
        List<JsonNode> secondChunks = WsClient.chunks(second.notificationsUntilEnd(two, WAIT));

        assertWhole(firstChunks);
        assertWhole(secondChunks);
        assertThat(firstChunks).hasSize(61);
        assertThat(secondChunks).hasSize(41);
        assertThat(text(firstChunks)).startsWith("FIRST").doesNotContain("SECOND");
        assertThat(text(secondChunks)).startsWith("SECOND").doesNotContain("FIRST");
        assertThat(first.hasNotification()).isFalse();
        assertThat(second.hasNotification()).isFalse();
        assertThat(this.rpc.listedSession(one).get("transport").asString()).isEqualTo("ws");
    }

    @Test
    void answerComesBeforeTheNotificationsOfTheSessionItStarted() throws Exception {
        WsClient socket = socket();
        // A prefill long enough that the session still runs when the socket starts pushing it: a run that ended
        // before has no state left to announce.
        socket.send(GatewayRpc.request("rkllm_run_async",
                prompt("ORDER[[sim:prefill_ms=300]][[sim:delay_us=0]][[sim:tokens=5]]")));

        JsonNode answer = socket.answer(WAIT);
        String id = answer.get("result").get("session_id").asString();
        List<JsonNode> notifications = socket.notificationsUntilEnd(id, WAIT);

        assertThat(notifications.get(0).get("method").asString()).isEqualTo("rkllm_status");
        assertThat(notifications.get(0).get("params").get("state").asString()).isEqualTo("running");
        assertWhole(WsClient.chunks(notifications));
    }

    @Test
    void blockingRunPushesItsChunksThenAnswersWithTheWholeText() throws Exception {
        WsClient socket = socket();

        JsonNode done = socket.result("rkllm_run", prompt("BLOCKING" + FAST + "[[sim:tokens=30]]"), WAIT);
        String id = done.get("session_id").asString();
        List<JsonNode> chunks = new ArrayList<>();
        while (socket.hasNotification()) {
            JsonNode notification = socket.notification(WAIT);
            assertThat(notification.get("params").get("session_id").asString()).isEqualTo(id);
            if ("rkllm_stream".equals(notification.get("method").asString())) {
                chunks.add(notification.get("params").get("chunk"));
            }
        }

        assertWhole(chunks);
        assertThat(chunks).as("every chunk, the end one included, arrived before the answer").hasSize(31);
        assertThat(text(chunks)).isEqualTo(done.get("text").asString()).startsWith("BLOCKING");
        assertThat(done.get("finish_reason").asString()).isEqualTo("stop");
    }

    @Test
    void closingASocketAbortsTheRunsStartedOnItAndNotTheSessionsItSubscribedTo() throws Exception {
        WsClient owner = socket();
        WsClient other = socket();
        String running = owner.result("rkllm_run_async", prompt("OWNED" + LONG), WAIT).get("session_id").asString();
        JsonNode queued = other.result("rkllm_run_async", prompt("QUEUED" + FAST), WAIT);
        assertThat(queued.get("status").asString()).isEqualTo("queued");
        other.result("subscribe", Map.of("session_id", running), WAIT);
        await("chunks of the running session").atMost(WAIT).until(other::hasNotification);

        other.close();

        String otherRun = queued.get("session_id").asString();
        await("queued run of the closed socket ended").atMost(WAIT).untilAsserted(() -> {
            JsonNode end = endChunk(otherRun);
            assertThat(end.get("end").asBoolean()).isTrue();
            assertThat(end.get("finish_reason").asString()).isEqualTo("aborted");
            assertThat(end.get("reason").asString()).isEqualTo("disconnected");
        });
        assertThat(this.rpc.status().get("running_session_id").asString()).as("subscribed only: still running")
            .isEqualTo(running);
        assertThat(this.rpc.isRunning()).isTrue();

        owner.close();

        await("run of the closed socket aborted").atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(this.rpc.isRunning()).isFalse();
            assertThat(this.rpc.status().get("running_session_id").isNull()).isTrue();
        });
        JsonNode end = endChunk(running);
        assertThat(end.get("finish_reason").asString()).isEqualTo("aborted");
        assertThat(end.get("reason").asString()).isEqualTo("disconnected");
    }

    @Test
    void subscribeWithSinceSeqReceivesTheRestOfARunningSessionWithoutGaps() throws Exception {
        String id = this.rpc.result("rkllm_run_async",
                prompt("LATE [[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=300]]"))
            .get("session_id")
            .asString();
        await("some chunks out").atMost(WAIT)
            .until(() -> polled(id, 0).size() > 20);
        WsClient third = socket();

        JsonNode subscribed = third.result("subscribe", Map.of("session_id", id, "since_seq", 10), WAIT);
        List<JsonNode> chunks = WsClient.chunks(third.notificationsUntilEnd(id, WAIT));

        assertThat(subscribed.get("session_id").asString()).isEqualTo(id);
        assertThat(subscribed.get("next_seq").asLong()).isEqualTo(10);
        assertThat(chunks).extracting((chunk) -> chunk.get("seq").asLong())
            .containsExactlyElementsOf(LongStream.rangeClosed(10, 300).boxed().toList());
        assertThat(text(chunks)).isEqualTo(
                text(polled(id, 10)));
        assertThat(chunks.get(chunks.size() - 1).get("finish_reason").asString()).isEqualTo("stop");
    }

    @Test
    void unsubscribeStopsThePushesOfARunStartedOnTheSocketButClosingStillAbortsIt() throws Exception {
        WsClient socket = socket();
        String id = socket.result("rkllm_run_async", prompt("HELD" + LONG), WAIT).get("session_id").asString();
        await("chunks").atMost(WAIT).until(socket::hasNotification);

        JsonNode unsubscribed = socket.result("unsubscribe", Map.of("session_id", id), WAIT);
        JsonNode again = socket.call("unsubscribe", Map.of("session_id", id), WAIT).get("error");

        assertThat(unsubscribed.get("next_seq").asLong()).isPositive();
        assertThat(again.get("code").asInt()).isEqualTo(-32602);
        assertThat(this.rpc.status().get("running_session_id").asString()).isEqualTo(id);

        socket.close();

        await("run aborted").atMost(Duration.ofSeconds(1)).until(() -> !this.rpc.isRunning());
        assertThat(endChunk(id).get("reason").asString()).isEqualTo("disconnected");
    }

    @Test
    void socketThatStopsReadingIsClosedWith1008WhileAnotherSocketAndTheRunGoOn() throws Exception {
        int tokens = 40_000;
        String blocker = this.rpc.startBlocker("BLOCKER");
        JsonNode started = this.rpc.result("rkllm_run_async", Map.of("prompt_input",
                "[[sim:prefill_ms=0]][[sim:delay_us=100]][[sim:tokens=" + tokens + "]]", "max_new_tokens", tokens + 1));
        String id = started.get("session_id").asString();
        WsClient reader = socket();
        try (RawWebSocket stalled = RawWebSocket.open(this.port, 4096)) {
            stalled.sendText(GatewayRpc.request("subscribe", Map.of("session_id", id)));
            assertThat(stalled.next().json().get("result").get("next_seq").asLong()).isZero();
            reader.result("subscribe", Map.of("session_id", id), WAIT);

            this.rpc.result("rkllm_abort", Map.of("session_id", blocker));
            List<JsonNode> chunks = WsClient.chunks(reader.notificationsUntilEnd(id, Duration.ofSeconds(60)));

            assertWhole(chunks);
            assertThat(chunks).hasSize(tokens + 1);
            assertThat(chunks.get(tokens).get("finish_reason").asString()).isEqualTo("stop");
            assertThat(this.rpc.isRunning()).isFalse();
            long seq = -1;
            RawWebSocket.Frame frame = stalled.next();
            for (; frame.opcode() != RawWebSocket.CLOSE; frame = stalled.next()) {
                JsonNode chunk = frame.isText() ? frame.json().get("params").get("chunk") : null;
                if (chunk != null) {
                    assertThat(chunk.get("seq").asLong()).as("no gap before the close").isEqualTo(seq + 1);
                    seq = chunk.get("seq").asLong();
                }
            }
            assertThat(frame.closeCode()).isEqualTo(1008);
            assertThat(seq).as("closed before the end").isLessThan(tokens);
        }
        assertThat(this.rpc.result("poll", Map.of("session_id", id, "since_seq", tokens)).get("chunk").get("end")
            .asBoolean()).as("the session stays readable").isTrue();
    }

    @Test
    void batchIsAnsweredInOneFrame() throws Exception {
        WsClient socket = socket();

        socket.send("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"two\",\"method\":\"rkllm_is_running\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"no_such_method\"}]");
        JsonNode answer = socket.answer(WAIT);

        assertThat(answer.isArray()).isTrue();
        assertThat(answer).hasSize(3);
        assertThat(answer.get(0)).isEqualTo(JsonMapper.shared()
            .readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"pong\":true}}"));
        assertThat(answer.get(1).get("id").asString()).isEqualTo("two");
        assertThat(answer.get(1).get("result").get("running").asBoolean()).isFalse();
        assertThat(answer.get(2).get("error").get("code").asInt()).isEqualTo(-32601);
    }

    @Test
    void invalidJsonIsAnsweredWithAParseErrorAndTheSocketStaysOpen() throws Exception {
        WsClient socket = socket();

        socket.send("{\"jsonrpc\":\"2.0\",");
        JsonNode answer = socket.answer(WAIT);

        assertThat(answer.get("id").isNull()).isTrue();
        assertThat(answer.get("error").get("code").asInt()).isEqualTo(-32700);
        assertThat(socket.result("ping", Map.of(), WAIT).get("pong").asBoolean()).isTrue();
    }

    @Test
    void binaryFrameClosesTheSocketWith1003AndTheServiceGoesOn() throws Exception {
        WsClient socket = socket();

        socket.sendBinary(new byte[] { 1, 2, 3 });

        assertThat(socket.closeCode(WAIT)).isEqualTo(1003);
        assertThat(socket().result("ping", Map.of(), WAIT).get("pong").asBoolean()).isTrue();
    }

    @Test
    void frameOverTheRequestLimitClosesTheSocketWith1009AndTheServiceGoesOn() throws Exception {
        try (RawWebSocket socket = RawWebSocket.open(this.port, 0)) {
            socket.sendText(GatewayRpc.request("ping", Map.of("padding", "x".repeat(64 * 1024))));
            RawWebSocket.Frame frame = socket.next();

            assertThat(frame.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(frame.closeCode()).isEqualTo(1009);
        }
        assertThat(socket().result("ping", Map.of(), WAIT).get("pong").asBoolean()).isTrue();
    }

    @Test
    void messageOverTheRequestLimitInFragmentsClosesTheSocketWith1009() throws Exception {
        WsClient socket = socket();

        // The JDK's client sends a message this long in several frames, each under the limit.
        socket.send(GatewayRpc.request("ping", Map.of("padding", "x".repeat(64 * 1024))));

        assertThat(socket.closeCode(WAIT)).isEqualTo(1009);
        assertThat(socket().result("ping", Map.of(), WAIT).get("pong").asBoolean()).isTrue();
    }

    @Test
    void idleSocketIsPingedEveryHeartbeat() throws Exception {
        WsClient socket = socket();

        await("two pings").atMost(WAIT).until(() -> socket.pings() >= 2);
    }

    @Test
    void subscribeOverHttpNamesTheWebSocket() {
        JsonNode error = this.rpc.error("subscribe", Map.of("session_id", "any"));

        assertThat(error.get("code").asInt()).isEqualTo(-32601);
        assertThat(error.get("message").asString()).contains("/ws", "GET /streams/{id}");
    }

    @Test
    void everyTransportReadsTheSameSession() throws Exception {
        String blocker = this.rpc.startBlocker("BLOCKER");
        String id = this.rpc.result("rkllm_run_async",
                prompt("SHARED [[sim:prefill_ms=0]][[sim:delay_us=500]][[sim:tokens=200]]"))
            .get("session_id")
            .asString();
        RawSseClient sse = stream("/streams/" + id, Map.of());
        WsClient socket = socket();
        socket.result("subscribe", Map.of("session_id", id), WAIT);
        this.rpc.result("rkllm_abort", Map.of("session_id", blocker));

        List<JsonNode> overSse = sse.eventsUntilEndChunk(WAIT)
            .stream()
            .filter(RawSseClient.Event::isChunk)
            .map(RawSseClient.Event::json)
            .toList();
        List<JsonNode> overSocket = WsClient.chunks(socket.notificationsUntilEnd(id, WAIT));
        List<JsonNode> polled = polled(id, 0);

        assertWhole(polled);
        assertThat(polled).hasSize(201);
        assertThat(overSse).isEqualTo(polled);
        assertThat(overSocket).isEqualTo(polled);
    }

}
