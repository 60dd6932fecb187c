package io.rkllm.gateway.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With API keys set, over real sockets: a socket gets its key from a handshake header, from a {@code bearer.<key>}
 * subprotocol offered with {@code rkllm.jsonrpc} (a browser's way, answered with {@code rkllm.jsonrpc}, never the key)
 * or from an {@code auth} first message; its calls are then that key's, so the sessions it starts are pushed to it and
 * another key's socket cannot subscribe to them, and a client key calls no admin method. A wrong or missing key is
 * refused: 401 at the handshake, else a close with 1008 and a reason that says what to send.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.security.api-keys[0].name=one",
                "rkllm.security.api-keys[0].key=" + KeyedWebSocketTest.ONE, "rkllm.security.api-keys[1].name=two",
                "rkllm.security.api-keys[1].key=" + KeyedWebSocketTest.TWO, "rkllm.security.api-keys[2].name=ops",
                "rkllm.security.api-keys[2].key=" + KeyedWebSocketTest.OPS, "rkllm.security.api-keys[2].role=admin",
                "rkllm.ws.auth-timeout=2s" })
class KeyedWebSocketTest {

    static final String ONE = "socket-key-one-0001";

    static final String TWO = "socket-key-two-0002";

    static final String OPS = "socket-key-ops-0003";

    private static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    private int port;

    /** The ways a client opens a socket as key {@code one}. */
    static Stream<Named<IntFunction<WsClient>>> asKeyOne() {
        return Stream.of(Named.of("Authorization header", (port) -> WsClient.connect(port,
                Map.of("Authorization", "Bearer " + ONE))),
                Named.of("bearer subprotocol", (port) -> subprotocol(port, ONE)),
                Named.of("auth first message", (port) -> authenticated(port, ONE, "client")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("asKeyOne")
    void aKeyedSocketGetsTheChunksOfItsRunAndAnotherKeyCannotSubscribeToThem(IntFunction<WsClient> asKeyOne)
            throws Exception {
        try (WsClient mine = asKeyOne.apply(this.port);
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

    @Test
    void aClientKeyCallsNoAdminMethodOverTheSocketAndOutlivesTheAuthTimeout() throws Exception {
        try (WsClient client = authenticated(this.port, TWO, "client"); WsClient admin = subprotocol(this.port, OPS)) {
            JsonNode refused = client.call("rkllm_init", Map.of(), WAIT).get("error");
            assertThat(refused.get("code").asInt()).isEqualTo(-32009);
            assertThat(refused.get("message").asString()).contains("admin key");
            JsonNode switchedOff = admin.call("rkllm_init", Map.of(), WAIT).get("error");
            assertThat(switchedOff.get("code").asInt()).as("admin methods are switched off here").isEqualTo(-32006);

            // A blocking run longer than rkllm.ws.auth-timeout: an authenticated socket is not closed by it.
            JsonNode run = client.result("rkllm_run",
                    Map.of("prompt_input", "LONG [[sim:prefill_ms=0]][[sim:delay_us=10000]][[sim:tokens=300]]"), WAIT);
            assertThat(run.toString()).contains("session_id");
            assertThat(client.result("ping", Map.of(), WAIT).get("pong").asBoolean()).isTrue();
        }
    }

    @Test
    void aWrongKeyOrAKeyWithoutTheSubprotocolIsRefusedAtTheHandshake() throws Exception {
        try (RawHttp wrong = RawWebSocket.handshake(RawHttp.connect(this.port),
                Map.of("Sec-WebSocket-Protocol", "rkllm.jsonrpc, bearer.wrong-key"))) {
            assertThat(wrong.head().status()).isEqualTo(401);
            assertThat(new String(wrong.readBody(), StandardCharsets.UTF_8)).contains("\"code\":-32008");
        }
        try (RawHttp alone = RawWebSocket.handshake(RawHttp.connect(this.port),
                Map.of("Sec-WebSocket-Protocol", "bearer." + ONE))) {
            assertThat(alone.head().status()).isEqualTo(400);
            assertThat(new String(alone.readBody(), StandardCharsets.UTF_8)).contains("\"code\":-32600")
                .contains("rkllm.jsonrpc")
                .doesNotContain(ONE);
        }
    }

    @Test
    void aSocketWithoutAKeyIsClosedUnlessItsFirstMessageIsARightAuth() throws Exception {
        try (WsClient wrongKey = WsClient.connect(this.port)) {
            wrongKey.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"auth\",\"params\":{\"api_key\":\"nope\"}}");
            assertThat(wrongKey.closeCode(WAIT)).isEqualTo(1008);
            assertThat(wrongKey.closeReason(WAIT)).isEqualTo("the API key is not valid");
        }
        try (WsClient noAuth = WsClient.connect(this.port)) {
            noAuth.send(GatewayRpc.request("rkllm_run_async", Map.of("prompt_input", "UNKEYED")));
            assertThat(noAuth.closeCode(WAIT)).isEqualTo(1008);
            assertThat(noAuth.closeReason(WAIT)).contains("API key is required").contains("auth");
        }
        try (WsClient silent = WsClient.connect(this.port)) {
            assertThat(silent.closeCode(WAIT)).isEqualTo(1008);
            assertThat(silent.closeReason(WAIT)).contains("rkllm.ws.auth-timeout");
        }
    }

    /** A socket that offers its key as a subprotocol, as a browser can; the answer must name rkllm.jsonrpc. */
    private static WsClient subprotocol(int port, String key) {
        WsClient socket = WsClient.connect(port, "rkllm.jsonrpc", "bearer." + key);
        assertThat(socket.subprotocol()).isEqualTo("rkllm.jsonrpc");
        return socket;
    }

    /** A socket opened without a key that sends it in an {@code auth} first message. */
    private static WsClient authenticated(int port, String key, String role) {
        WsClient socket = WsClient.connect(port);
        try {
            JsonNode answer = socket.result("auth", Map.of("api_key", key), WAIT);
            assertThat(answer.get("role").asString()).isEqualTo(role);
            assertThat(answer.get("key_name").asString()).isNotBlank();
            return socket;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

}
