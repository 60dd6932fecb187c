package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With API keys set, the calls on a socket are its handshake's key's: the sessions it starts or subscribes to are
 * that key's, so they are pushed to it, and another key's socket cannot subscribe to them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.security.api-keys[0].name=one",
                "rkllm.security.api-keys[0].key=" + KeyedWebSocketTest.ONE, "rkllm.security.api-keys[1].name=two",
                "rkllm.security.api-keys[1].key=" + KeyedWebSocketTest.TWO })
class KeyedWebSocketTest {

    static final String ONE = "socket-key-one-0001";

    static final String TWO = "socket-key-two-0002";

    private static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    private int port;

    @Test
    void aKeyedSocketGetsTheChunksOfItsRunAndAnotherKeyCannotSubscribeToThem() throws Exception {
        try (WsClient mine = WsClient.connect(this.port, Map.of("Authorization", "Bearer " + ONE));
                WsClient theirs = WsClient.connect(this.port, Map.of("x-api-key", TWO))) {
            JsonNode started = mine.call("rkllm_run_async",
                    Map.of("prompt_input", "KEYED [[sim:prefill_ms=200]][[sim:delay_us=1000]][[sim:tokens=20]]"), WAIT);
            assertThat(started.has("error")).as("%s", started).isFalse();
            String id = started.get("result").get("session_id").asString();

            JsonNode refused = theirs.call("subscribe", Map.of("session_id", id), WAIT);
            List<JsonNode> notifications = mine.notificationsUntilEnd(id, WAIT);

            assertThat(refused.get("error").get("code").asInt()).isEqualTo(-32001);
            assertThat(WsClient.chunks(notifications)).hasSize(21);
        }
    }

}
