package io.rkllm.gateway.security;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One key that floods the queue gets -32000 with a retry hint past its share (two waiting runs here), while another
 * key's run still gets in behind the flood's admitted runs.
 */
@KeyedGateway
class FairnessTest {

    private static final String ENDLESS = "[[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=100000]]";

    @LocalServerPort
    private int port;

    private final HttpCalls http() {
        return new HttpCalls(this.port);
    }

    @AfterEach
    void freeTheNpu() {
        HttpCalls http = http();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            http.rpc(KeyedGateway.OPS, "rkllm_abort", Map.of(), 0);
            JsonNode status = http.rpc(KeyedGateway.OPS, "stream_manager_status", Map.of(), 0).get("result");
            return status.get("running_session_id").isNull() && status.get("queued").asInt() == 0;
        });
    }

    @Test
    void aFloodingKeyIsRefusedPastItsShareWhileAnotherKeyGetsIn() {
        HttpCalls http = http();
        JsonNode running = run(http, KeyedGateway.WEB, "hold");
        assertThat(running.at("/result/status").asString()).isEqualTo("streaming_started");
        assertThat(run(http, KeyedGateway.WEB, "one").at("/result/queue_position").asInt()).isEqualTo(1);
        assertThat(run(http, KeyedGateway.WEB, "two").at("/result/queue_position").asInt()).isEqualTo(2);

        for (int i = 0; i < 5; i++) {
            JsonNode refused = run(http, KeyedGateway.WEB, "flood " + i).get("error");
            assertThat(refused.get("code").asInt()).isEqualTo(-32000);
            assertThat(refused.get("message").asString()).contains("rkllm.limits.max-queued-per-client");
            assertThat(refused.at("/data/retry_after_ms").asLong()).isPositive();
        }
        JsonNode phone = run(http, KeyedGateway.PHONE, "mine");
        assertThat(phone.at("/result/status").asString()).isEqualTo("queued");
        assertThat(phone.at("/result/queue_position").asInt()).isEqualTo(3);
        JsonNode blocking = http.rpc(KeyedGateway.WEB, "rkllm_run", Map.of("prompt_input", "wait " + ENDLESS), 9);
        assertThat(blocking.at("/error/code").asInt()).as("a blocking run counts the same").isEqualTo(-32000);
    }

    @Test
    void aKeysOpenAiRunsCountAgainstItsOwnShareAndAreShownAsItsOwn() {
        HttpCalls http = http();
        assertThat(run(http, KeyedGateway.WEB, "hold").at("/result/status").asString()).isEqualTo("streaming_started");
        assertThat(run(http, KeyedGateway.WEB, "one").at("/result/queue_position").asInt()).isEqualTo(1);
        http.postJsonAsync("/v1/chat/completions", Map.of("x-api-key", KeyedGateway.WEB), openAi(true, "streamed"));
        await().atMost(Duration.ofSeconds(10))
            .until(() -> http.rpc(KeyedGateway.OPS, "stream_manager_status", Map.of(), 0).at("/result/queued").asInt()
                    == 2);

        JsonNode streams = http.send("GET", "/actuator/streams", Map.of("x-api-key", KeyedGateway.OPS), null).json();
        JsonNode openAi = streams.get("sessions").valueStream()
            .filter((session) -> session.get("transport").asString().equals("openai"))
            .findFirst()
            .orElseThrow();
        assertThat(openAi.get("key").asString()).isEqualTo("web");
        assertThat(openAi.get("model").asString()).isEqualTo("tiny-sim");
        assertThat(openAi.get("queue_position").asInt()).isEqualTo(2);

        assertThat(run(http, KeyedGateway.WEB, "two").at("/error/code").asInt()).as("its share is used")
            .isEqualTo(-32000);
        HttpCalls.Answer refused = http.postJson("/v1/chat/completions", Map.of("x-api-key", KeyedGateway.WEB),
                openAi(false, "refused"));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(refused.json().at("/error/message").asString()).contains("rkllm.limits.max-queued-per-client");
        assertThat(run(http, KeyedGateway.PHONE, "mine").at("/result/queue_position").asInt()).isEqualTo(3);
    }

    private static String openAi(boolean stream, String word) {
        return JsonMapper.shared().writeValueAsString(Map.of("model", "tiny-sim", "stream", stream, "messages",
                List.of(Map.of("role", "user", "content", word + " " + ENDLESS))));
    }

    private static JsonNode run(HttpCalls http, String key, String word) {
        return http.rpc(key, "rkllm_run_async", Map.of("prompt_input", word + " " + ENDLESS), word);
    }

}
