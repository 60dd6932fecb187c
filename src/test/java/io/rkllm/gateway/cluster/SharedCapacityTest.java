package io.rkllm.gateway.cluster;

import java.time.Duration;
import java.util.Map;

import io.rkllm.gateway.web.GatewayRpc;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A model's queue is one for the cluster: its capacity and the runs' positions count the runs of every gateway. */
class SharedCapacityTest {

    @RegisterExtension
    @Order(1)
    static final RedisServer REDIS = new RedisServer();

    @RegisterExtension
    @Order(2)
    static final TwoGateways CLUSTER = new TwoGateways(REDIS, "rkllm.queue.capacity=2");

    @Test
    void theQueueOfAModelHoldsItsCapacityAndPositionsAcrossTheGateways() {
        GatewayRpc a = CLUSTER.a().rpc();
        GatewayRpc b = CLUSTER.b().rpc();
        // A model that no board has: its runs wait until they are aborted.
        JsonNode first = queue(a, "first");
        JsonNode second = queue(b, "second");
        assertThat(first.get("queue_position").asInt()).isOne();
        assertThat(second.get("queue_position").asInt()).as("behind the run queued through the other gateway")
            .isEqualTo(2);

        JsonNode full = a.error("rkllm_run_async", Map.of("prompt_input", "third", "model", "nowhere"));
        assertThat(full.get("code").asInt()).isEqualTo(-32000);
        assertThat(full.get("message").asString()).contains("rkllm.queue.capacity");

        b.result("rkllm_abort", Map.of("session_id", first.get("session_id").asString()));
        String secondId = second.get("session_id").asString();
        await("the second run moved up").atMost(Duration.ofSeconds(10))
            .until(() -> b.listedSession(secondId).get("queue_position").asInt() == 1);
        JsonNode fourth = queue(a, "fourth");
        assertThat(fourth.get("queue_position").asInt()).isEqualTo(2);

        a.result("rkllm_abort", Map.of("session_id", secondId));
        a.result("rkllm_abort", Map.of("session_id", fourth.get("session_id").asString()));
    }

    private static JsonNode queue(GatewayRpc gateway, String prompt) {
        JsonNode started = gateway.result("rkllm_run_async", Map.of("prompt_input", prompt, "model", "nowhere"));
        assertThat(started.get("status").asString()).isEqualTo("queued");
        return started;
    }

}
