package io.rkllm.gateway.cluster;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamSession;
import io.rkllm.gateway.web.GatewayRpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a cluster does when a part of it goes away. A board that stops its heartbeats (a "ghost" played here with raw
 * Redis commands, as a real board would have claimed and started) loses its running session as {@code worker_lost}
 * after the lease, and the job it claimed but never started runs on a live board. Redis going away makes the gateway
 * unready and refuse new runs with -32003; once it is back, runs go on and ended sessions read as before.
 */
class ClusterFaultTest {

    private static final String KEY = "web-secret-key-0001";

    @RegisterExtension
    static final RedisServer REDIS = new RedisServer();

    private static final String QUICK = " [[sim:prefill_ms=0]][[sim:delay_us=1000]][[sim:tokens=8]]";

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    static ClusterGateway a;

    static RedisClient client;

    @BeforeAll
    static void startGateway() {
        a = ClusterGateway.start(REDIS, dir, "alpha", "Alpine", "rkllm.cluster.lease=2s");
        client = RedisClient.create(REDIS.url());
    }

    @AfterAll
    static void stopGateway() {
        client.shutdown();
        a.close();
    }

    @Test
    void aBoardWithoutHeartbeatsLosesItsRunAndTheJobsBehindItRunOnALiveBoard() {
        GatewayRpc rpc = a.rpc();
        String blocker = holdBoard(rpc);
        String lost = start(rpc, "lost");
        String behind = start(rpc, "behind");

        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> ghost = connection.sync();
            String queue = ClusterKeys.queue("alpha");
            try {
                ghost.xgroupCreate(StreamOffset.from(queue, "0-0"), ClusterKeys.GROUP,
                        XGroupCreateArgs.Builder.mkstream());
            }
            catch (RedisBusyException ex) {
                // A made it already.
            }
            ghost.hset(ClusterKeys.board("ghost"), "models", "default,alpha");
            ghost.pexpire(ClusterKeys.board("ghost"), 1500);
            List<Object> claimed = ghost.eval(ClusterScripts.CLAIM.getScriptAsString(), ScriptOutputType.MULTI,
                    new String[] { queue }, ClusterKeys.GROUP, "ghost", "30000");
            assertThat(claimed).as("the ghost claimed and started the oldest job").first().isEqualTo(lost);
            ghost.xadd(ClusterKeys.log(lost), new XAddArgs().id(ClusterKeys.entryId(0)), "c",
                    "{\"seq\":0,\"delta\":\"half\",\"end\":false}");
        }
        rpc.result("rkllm_abort", Map.of("session_id", blocker));

        await("the ghost's session ended").atMost(TIMEOUT).until(() -> !"running".equals(state(rpc, lost)));
        JsonNode chunks = rpc.result("poll", Map.of("session_id", lost, "since_seq", 0)).get("chunks");
        assertThat(chunks.get(0).get("delta").asString()).isEqualTo("half");
        JsonNode end = chunks.get(1);
        assertThat(end.get("end").asBoolean()).isTrue();
        assertThat(end.get("finish_reason").asString()).isEqualTo("error");
        assertThat(end.get("reason").asString()).isEqualTo("worker_lost");
        assertThat(end.get("error").get("message").asString()).contains("ghost").contains("rkllm.cluster.lease");

        await("the job behind it finished").atMost(TIMEOUT).until(() -> "finished".equals(state(rpc, behind)));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(connection.sync().hget(ClusterKeys.session(behind), "board")).isEqualTo(a.boardId());
        }
    }

    @Test
    void aBoardShutDownFinishesItsRunAndLeavesTheQueuedJobsToTheOthers(@TempDir Path other) {
        GatewayRpc rpc = a.rpc();
        List<String> ids = new ArrayList<>();
        String paced = " [[sim:prefill_ms=0]][[sim:delay_us=20000]][[sim:tokens=15]]";
        try (ClusterGateway c = ClusterGateway.start(REDIS, other, "alpha", "Alpine", "rkllm.cluster.lease=2s")) {
            for (int i = 0; i < 6; i++) {
                ids.add(rpc.result("rkllm_run_async", Map.of("prompt_input", "job " + i + paced, "model", "alpha"))
                    .get("session_id").asString());
            }
            await("C runs one").atMost(TIMEOUT).until(() -> ids.stream().anyMatch((id) -> c.boardId().equals(
                    hget(id, "board"))));
        }
        await("every job ended").atMost(TIMEOUT)
            .until(() -> ids.stream().noneMatch((id) -> List.of("queued", "running").contains(state(rpc, id))));
        assertThat(ids).allSatisfy((id) -> assertThat(state(rpc, id)).as(id).isEqualTo("finished"));
        assertThat(hget(ids.get(ids.size() - 1), "board")).as("the last job's board").isEqualTo(a.boardId());
    }

    /** Two gateways with the same key: the client's queued runs and its runs per minute are counted together. */
    @Test
    void aClientsLimitsHoldAcrossTheGateways(@TempDir Path one, @TempDir Path two) throws Exception {
        String[] limits = { "rkllm.security.api-keys[0].name=web", "rkllm.security.api-keys[0].key=" + KEY,
            "rkllm.limits.max-queued-per-client=1", "rkllm.limits.requests-per-minute=3" };
        try (ClusterGateway k1 = ClusterGateway.start(REDIS, one, "alpha", "Alpine", limits);
                ClusterGateway k2 = ClusterGateway.start(REDIS, two, "alpha", "Alpine", limits)) {
            // A model that no board has: a run stays queued until it is aborted.
            JsonNode first = keyedRun(k1, "one");
            assertThat(first.get("result").get("status").asString()).isEqualTo("queued");
            JsonNode busy = keyedRun(k2, "two").get("error");
            assertThat(busy.get("code").asInt()).isEqualTo(-32000);
            assertThat(busy.get("message").asString()).contains("rkllm.limits.max-queued-per-client");

            keyedCall(k2, "rkllm_abort", Map.of("session_id", first.get("result").get("session_id").asString()));
            JsonNode third = keyedRun(k2, "three");
            assertThat(third.get("result").get("status").asString()).as("once the first left the queue")
                .isEqualTo("queued");
            keyedCall(k1, "rkllm_abort", Map.of("session_id", third.get("result").get("session_id").asString()));
            JsonNode fourth = keyedRun(k1, "four");
            assertThat(fourth.get("result").get("status").asString()).isEqualTo("queued");
            keyedCall(k1, "rkllm_abort", Map.of("session_id", fourth.get("result").get("session_id").asString()));

            JsonNode limited = keyedRun(k2, "five").get("error");
            assertThat(limited.get("code").asInt()).as("the fourth run of the minute, counted on both")
                .isEqualTo(-32000);
            assertThat(limited.get("message").asString()).contains("rkllm.limits.requests-per-minute");
            assertThat(limited.get("data").get("retry_after_ms").asLong()).isPositive();
        }
    }

    private static JsonNode keyedRun(ClusterGateway gateway, String prompt) throws Exception {
        return keyedCall(gateway, "rkllm_run_async", Map.of("prompt_input", prompt, "model", "nowhere"));
    }

    private static JsonNode keyedCall(ClusterGateway gateway, String method, Map<String, Object> params)
            throws Exception {
        String body = JsonMapper.shared().writeValueAsString(Map.of("jsonrpc", "2.0", "id", 1, "method", method,
                "params", params));
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + gateway.port() + "/rpc"))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(), HttpResponse.BodyHandlers.ofString());
        return JsonMapper.shared().readTree(answer.body());
    }

    /**
     * While Redis is slow to answer (paused by CLIENT PAUSE, shorter than the command timeout), runs wait for it but
     * the web server's threads do not: a health check on another connection is answered at once.
     */
    @Test
    void runsWaitingForASlowRedisHoldNoWebServerThread() throws Exception {
        int runs = 8;
        int before = sessionIds().size();
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().clientPause(2500);
            for (int i = 0; i < runs; i++) {
                String body = JsonMapper.shared().writeValueAsString(Map.of("jsonrpc", "2.0", "id", i, "method",
                        "rkllm_run_async", "params", Map.of("prompt_input", "slow " + i + QUICK)));
                // A client of its own for each: a connection each, spread over the web server's event loops.
                answers.add(HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + a.port() + "/rpc"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString()));
            }
            await("the runs reached the gateway").atMost(TIMEOUT)
                .until(() -> sessionIds().size() >= before + runs);

            long start = System.nanoTime();
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + a.port() + "/actuator/health/liveness")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(answers).as("runs still waiting for Redis when the health check was answered")
                .noneMatch(CompletableFuture::isDone);
            assertThat(took).as("the health check's answer").isLessThan(Duration.ofMillis(1500));
        }
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            JsonNode run = JsonMapper.shared().readTree(answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).body());
            assertThat(run.get("result").get("session_id").asString()).as("queued once Redis answered").isNotEmpty();
        }
    }

    /**
     * A client that leaves while Redis has not yet queued its run (paused by CLIENT PAUSE): Redis queues the job all
     * the same once it answers, and the job is then taken out of the queue as aborted rather than run for nobody.
     */
    @Test
    void aRunWhoseClientLeftBeforeRedisQueuedItIsAbortedNotRun() throws Exception {
        GatewayRpc rpc = a.rpc();
        String blocker = holdBoard(rpc);
        Set<String> known = sessionIds();
        String left;
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().clientPause(1500);
            try (Socket socket = new Socket("localhost", a.port())) {
                String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_run\",\"params\":"
                        + "{\"prompt_input\":\"left" + QUICK + "\"}}";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                socket.getOutputStream().write(("POST /rpc HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream"
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(bytes);
                left = awaitNewSession(known);
            }
        }
        assertAbortedBeforeAnyBoardRanIt(left);
        rpc.result("rkllm_abort", Map.of("session_id", blocker));
    }

    /** An abort that found Redis away is sent again once it is back, and the board stops the run then. */
    @Test
    void anAbortSentWhileRedisWasAwayStopsTheRunOnceItIsBack() throws Exception {
        GatewayRpc rpc = a.rpc();
        await("ready").atMost(TIMEOUT).until(() -> readiness().statusCode() == 200);
        String blocker = holdBoard(rpc);
        REDIS.stop();
        try {
            await("unready").atMost(TIMEOUT).until(() -> readiness().statusCode() == 503);
            assertThat(rpc.result("rkllm_abort", Map.of("session_id", blocker)).get("aborted").asBoolean()).isTrue();
        }
        finally {
            REDIS.start();
        }

        await("the run ended").atMost(TIMEOUT).until(() -> "aborted".equals(state(rpc, blocker)));
        await("board A idle").atMost(TIMEOUT).until(() -> "idle".equals(boardState(rpc)));
    }

    /** A board that missed an abort's message (its subscription was reconnecting) finds it on its next heartbeat. */
    @Test
    void anAbortWhoseMessageTheBoardMissedReachesItThroughTheSessionsMetadata() {
        GatewayRpc rpc = a.rpc();
        String blocker = holdBoard(rpc);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().hset(ClusterKeys.session(blocker), ClusterKeys.ABORT_FIELD, "aborted missed");
        }

        await("the run ended").atMost(TIMEOUT).until(() -> "aborted".equals(state(rpc, blocker)));
        JsonNode chunks = rpc.result("poll", Map.of("session_id", blocker, "since_seq", 0)).get("chunks");
        assertThat(chunks.get(chunks.size() - 1).get("reason").asString()).isEqualTo("missed");
    }

    /**
     * Redis answers later than the command timeout: the caller is told -32003, and the job Redis queued all the same
     * is ended once Redis answers again rather than run for a caller that was refused.
     */
    @Test
    void aRunRefusedForARedisTooSlowToAnswerDoesNotRunWhenItAnswersLate() throws Exception {
        GatewayRpc rpc = a.rpc();
        String blocker = holdBoard(rpc);
        Set<String> known = sessionIds();
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().clientPause(ClusterRedis.COMMAND_TIMEOUT.plusSeconds(1).toMillis());
        }
        CompletableFuture<JsonNode> refused = CompletableFuture.supplyAsync(
                () -> rpc.error("rkllm_run_async", Map.of("prompt_input", "late" + QUICK)));
        String late = awaitNewSession(known);

        assertThat(refused.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get("code").asInt()).isEqualTo(-32003);
        assertAbortedBeforeAnyBoardRanIt(late);
        rpc.result("rkllm_abort", Map.of("session_id", blocker));
    }

    /**
     * Another gateway ended the session that board A runs (as {@code worker_lost}, A having been out of reach of Redis
     * for a lease): A stops the run at its next heartbeat rather than run it on for nobody.
     */
    @Test
    void aBoardStopsARunThatWasEndedElsewhereAsLost() {
        GatewayRpc rpc = a.rpc();
        String blocker = holdBoard(rpc);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            String end = "{\"seq\":0,\"delta\":\"\",\"end\":true,\"finish_reason\":\"error\","
                    + "\"reason\":\"worker_lost\"}";
            assertThat((Long) connection.sync().eval(ClusterScripts.END.getScriptAsString(), ScriptOutputType.INTEGER,
                    new String[] { ClusterKeys.session(blocker), ClusterKeys.log(blocker) }, "running", a.boardId(),
                    "failed", end, "30000", "100", blocker)).as("the end's seq").isPositive();
        }

        await("A stopped the run").atMost(TIMEOUT).until(() -> a.bean(StreamManager.class).idle());
        assertThat(rpc.status().get("running_session_id").isNull()).isTrue();
        assertThat(state(rpc, blocker)).isEqualTo("failed");
    }

    @Test
    void withoutRedisTheGatewayIsUnreadyAndRefusesRunsThenComesBack() throws Exception {
        GatewayRpc rpc = a.rpc();
        await("ready").atMost(TIMEOUT).until(() -> readiness().statusCode() == 200);
        JsonNode before = rpc.result("rkllm_run", Map.of("prompt_input", "before" + QUICK));
        JsonNode beforeChunks = rpc.result("poll", Map.of("session_id", before.get("session_id").asString(),
                "since_seq", 0));

        REDIS.stop();
        try {
            await("unready").atMost(TIMEOUT).until(() -> readiness().statusCode() == 503);
            assertThat(readiness().body()).contains("Redis").contains("unreachable");
            JsonNode refused = rpc.error("rkllm_run_async", Map.of("prompt_input", "during" + QUICK));
            assertThat(refused.get("code").asInt()).isEqualTo(-32003);
            assertThat(refused.get("message").asString()).contains("Redis");
            HttpResponse<String> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + a.port() + "/streams/kept-by-redis")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stream.statusCode()).as("a session only Redis could know of").isEqualTo(503);
            assertThat(stream.body()).contains("-32003").contains("Redis");
        }
        finally {
            REDIS.start();
        }

        await("ready again").atMost(TIMEOUT).until(() -> readiness().statusCode() == 200);
        assertThat(rpc.result("rkllm_run", Map.of("prompt_input", "after" + QUICK)).get("text").asString())
            .contains("after");
        assertThat(rpc.result("poll", Map.of("session_id", before.get("session_id").asString(), "since_seq", 0)))
            .as("a session that ended before").isEqualTo(beforeChunks);
    }

    private static String hget(String id, String field) {
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().hget(ClusterKeys.session(id), field);
        }
    }

    /** Starts a long run on board A once it is idle, and waits until A runs it: A claims nothing else meanwhile. */
    private static String holdBoard(GatewayRpc rpc) {
        await("A idle").atMost(TIMEOUT).until(() -> "idle".equals(boardState(rpc)));
        // In the cluster mode every run is queued first, until a board claims it.
        String blocker = rpc.result("rkllm_run_async", Map.of("prompt_input",
                "hold [[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=100000]]", "max_new_tokens", 100_000))
            .get("session_id").asString();
        await("A busy").atMost(TIMEOUT).until(() -> blocker.equals(rpc.status().get("running_session_id").asString()));
        return blocker;
    }

    private static String start(GatewayRpc rpc, String prompt) {
        return rpc.result("rkllm_run_async", Map.of("prompt_input", prompt + QUICK, "model", "alpha"))
            .get("session_id").asString();
    }

    /** The ids of the sessions gateway A has now. */
    private static Set<String> sessionIds() {
        return a.bean(StreamManager.class).sessions().stream().map(StreamSession::id).collect(Collectors.toSet());
    }

    /** The id of the first session gateway A has beside {@code known}, once it has one. */
    private static String awaitNewSession(Set<String> known) {
        return await("the run reached the gateway").atMost(TIMEOUT)
            .until(() -> sessionIds().stream().filter((id) -> !known.contains(id)).findFirst().orElse(null),
                    Objects::nonNull);
    }

    /** The session's job ended as aborted and left its queue without a board having started it. */
    private static void assertAbortedBeforeAnyBoardRanIt(String id) {
        await("its job ended as aborted").atMost(TIMEOUT).until(() -> "aborted".equals(hget(id, "state")));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(connection.sync().xlen(ClusterKeys.queue("default"))).as("jobs left in the queue").isZero();
        }
        assertThat(hget(id, "board")).as("the board that ran it").isNull();
    }

    private static String state(GatewayRpc rpc, String id) {
        return rpc.result("poll", Map.of("session_id", id, "since_seq", 0)).get("state").asString();
    }

    /** Board A's state as the cluster lists it; null while it is not listed (its heartbeat lapsed with Redis away). */
    private static String boardState(GatewayRpc rpc) {
        return rpc.status().get("boards").valueStream()
            .filter((board) -> board.get("id").asString().equals(a.boardId()))
            .map((board) -> board.get("state").asString())
            .findFirst()
            .orElse(null);
    }

    private static HttpResponse<String> readiness() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + a.port() + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

}
