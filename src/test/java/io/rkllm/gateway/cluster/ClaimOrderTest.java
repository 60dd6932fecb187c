package io.rkllm.gateway.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.rkllm.gateway.web.GatewayRpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Which jobs an idle board claims (DESIGN §11): those of the models it has loaded, and of the models of its catalogue
 * only while no other live board has them loaded, so that a model is not loaded on a second board while the first
 * holds it. The other board is a "ghost" played with raw Redis commands: its heartbeat says it has {@code beta} loaded.
 */
class ClaimOrderTest {

    @RegisterExtension
    static final RedisServer REDIS = new RedisServer();

    private static final String QUICK = " [[sim:prefill_ms=0]][[sim:delay_us=1000]][[sim:tokens=8]]";

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void aModelLoadedOnAnotherLiveBoardIsLeftToItThenTakenOnceThatBoardIsGone(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("beta.rkllm"), "RKLLM-SIM-MODEL 1\n---\n" + "Bavarian ".repeat(40),
                StandardCharsets.UTF_8);
        RedisClient client = RedisClient.create(REDIS.url());
        try (ClusterGateway a = ClusterGateway.start(REDIS, dir, "alpha", "Alpine");
                StatefulRedisConnection<String, String> connection = client.connect()) {
            GatewayRpc rpc = a.rpc();
            RedisCommands<String, String> ghost = connection.sync();
            ghost.hset(ClusterKeys.board("ghost"), Map.of("models", "default,beta", "resident", "beta", "state",
                    "busy", "running", ""));
            ghost.pexpire(ClusterKeys.board("ghost"), TIMEOUT.toMillis());
            ghost.sadd(ClusterKeys.BOARDS, "ghost");

            String beta = run(rpc, "beta");
            String alpha = run(rpc, "alpha");

            await("A runs its own model's job").atMost(TIMEOUT).until(() -> "finished".equals(state(rpc, alpha)));
            await("the beta job waits for the board that has beta loaded").during(Duration.ofSeconds(2))
                .atMost(TIMEOUT)
                .until(() -> "queued".equals(state(rpc, beta)));

            ghost.del(ClusterKeys.board("ghost"));

            await("A loads beta and runs the job").atMost(TIMEOUT).until(() -> "finished".equals(state(rpc, beta)));
            assertThat(ghost.hget(ClusterKeys.session(beta), "board")).isEqualTo(a.boardId());
            assertThat(rpc.result("poll", Map.of("session_id", beta, "since_seq", 0)).get("chunks").toString())
                .contains("Bavarian");
        }
        finally {
            client.shutdown();
        }
    }

    private static String run(GatewayRpc rpc, String model) {
        return rpc.result("rkllm_run_async", Map.of("prompt_input", "job" + QUICK, "model", model))
            .get("session_id").asString();
    }

    private static String state(GatewayRpc rpc, String id) {
        return rpc.result("poll", Map.of("session_id", id, "since_seq", 0)).get("state").asString();
    }

}
