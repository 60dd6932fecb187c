package io.rkllm.gateway.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.rkllm.gateway.web.GatewayRpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways, each with its own simulator handle and model file, share one Redis: one FIFO across both boards for
 * runs that name no model, each model's runs only on the board that has it, and a run for a model no board has fails
 * after the max wait.
 */
class SharedQueueTest {

    @RegisterExtension
    @Order(1)
    static final RedisServer REDIS = new RedisServer();

    @RegisterExtension
    @Order(2)
    static final TwoGateways CLUSTER = new TwoGateways(REDIS, "rkllm.queue.max-wait=4s");

    /** 15 tokens 20 ms apart: long enough that six runs overlap on two boards. */
    private static final String PACED = " [[sim:prefill_ms=0]][[sim:delay_us=20000]][[sim:tokens=15]]";

    static ClusterGateway a;

    static ClusterGateway b;

    static RedisClient client;

    static StatefulRedisConnection<String, String> redis;

    @BeforeAll
    static void startCluster() {
        a = CLUSTER.a();
        b = CLUSTER.b();
        client = RedisClient.create(REDIS.url());
        redis = client.connect();
        await("both boards idle").atMost(Duration.ofSeconds(10)).until(() -> boards(a.rpc()).size() == 2);
    }

    @AfterAll
    static void stopCluster() {
        redis.close();
        client.shutdown();
    }

    @Test
    void theGatewaysTalkToRedisThroughSpringBootsLettuceConnectionFactoryAtTheClusterUrl() {
        for (ClusterGateway gateway : List.of(a, b)) {
            LettuceConnectionFactory factory = gateway.bean(LettuceConnectionFactory.class);
            assertThat(factory.getPort()).isEqualTo(URI.create(REDIS.url()).getPort());
            assertThat(gateway.bean(ReactiveStringRedisTemplate.class).getConnectionFactory()).isSameAs(factory);
        }
    }

    @Test
    void sixRunsSentToOneGatewayRunOnBothBoardsOneAtATimeEachInOrder() {
        GatewayRpc rpc = a.rpc();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(rpc.result("rkllm_run_async", Map.of("prompt_input", "run " + i + PACED)).get("session_id")
                .asString());
        }
        await("six runs ended").atMost(Duration.ofSeconds(30))
            .until(() -> ids.stream().allMatch((id) -> "finished".equals(meta(id).get("state"))));

        List<Run> runs = ids.stream().map((id) -> {
            Map<String, String> meta = meta(id);
            return new Run(id, meta.get("board"), Long.parseLong(meta.get("started")),
                    Long.parseLong(meta.get("ended")));
        }).toList();
        assertThat(runs.stream().map(Run::board).collect(Collectors.toSet())).as("boards that ran them")
            .containsExactlyInAnyOrder(a.boardId(), b.boardId());
        assertThat(runs).as("started in the order they were sent").isSortedAccordingTo(
                Comparator.comparingLong(Run::started));
        for (List<Run> board : runs.stream().collect(Collectors.groupingBy(Run::board)).values()) {
            for (int i = 1; i < board.size(); i++) {
                assertThat(board.get(i).started()).as("%s started after %s ended on their board", board.get(i),
                        board.get(i - 1)).isGreaterThanOrEqualTo(board.get(i - 1).ended());
            }
        }
        long busy = runs.stream().mapToLong((run) -> run.ended() - run.started()).sum();
        long wall = runs.get(runs.size() - 1).ended() - runs.get(0).started();
        assertThat(wall).as("wall time of all six against one board's (µs)").isLessThan(busy * 3 / 4);
        String text = rpc.result("poll", Map.of("session_id", ids.get(0), "since_seq", 0)).get("chunk").get("delta")
            .asString();
        assertThat(text).as("the text of a run on either board").containsAnyOf("Alpine", "Baltic");
    }

    @Test
    void runsOfAModelGoOnlyToTheBoardThatHasIt() {
        JsonNode onB = a.rpc().result("rkllm_run", Map.of("prompt_input", "x" + PACED, "model", "beta"));
        JsonNode onA = b.rpc().result("rkllm_run", Map.of("prompt_input", "y" + PACED, "model", "alpha"));

        assertThat(onB.get("text").asString()).contains("Baltic");
        assertThat(meta(onB.get("session_id").asString())).containsEntry("board", b.boardId());
        assertThat(onA.get("text").asString()).contains("Alpine");
        assertThat(meta(onA.get("session_id").asString())).containsEntry("board", a.boardId());
    }

    @Test
    void aRunForAModelNoBoardHasFailsAfterTheMaxWait() {
        long start = System.nanoTime();
        JsonNode error = a.rpc().error("rkllm_run", Map.of("prompt_input", "z", "model", "gamma"));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
        assertThat(error.get("code").asInt()).isEqualTo(-32000);
        assertThat(error.get("message").asString()).contains("rkllm.queue.max-wait").contains("model gamma");
        assertThat(redis.sync().xlen(ClusterKeys.queue("gamma"))).as("jobs left in gamma's queue").isZero();
    }

    @Test
    void theStatusShowsTheBoardsAndTheirModels() throws Exception {
        List<JsonNode> boards = boards(b.rpc());

        assertThat(boards).extracting((board) -> board.get("id").asString())
            .containsExactlyInAnyOrder(a.boardId(), b.boardId());
        JsonNode boardA = boards.stream().filter((board) -> board.get("id").asString().equals(a.boardId()))
            .findFirst().orElseThrow();
        assertThat(boardA.get("models").valueStream().map(JsonNode::asString)).containsExactly("default", "alpha");
        HttpResponse<String> streams = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + a.port() + "/actuator/streams")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(JsonMapper.shared().readTree(streams.body()).get("boards").valueStream()
            .map((board) -> board.get("id").asString())).as("/actuator/streams")
            .containsExactlyInAnyOrder(a.boardId(), b.boardId());
    }

    private static List<JsonNode> boards(GatewayRpc rpc) {
        JsonNode boards = rpc.status().get("boards");
        return (boards != null) ? boards.valueStream().toList() : List.of();
    }

    private static Map<String, String> meta(String id) {
        return redis.sync().hgetall(ClusterKeys.session(id));
    }

    private record Run(String id, String board, long started, long ended) {
    }

}
