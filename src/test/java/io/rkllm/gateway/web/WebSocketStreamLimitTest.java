package io.rkllm.gateway.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Over real sockets: a WebSocket counts against {@code rkllm.limits.max-streams} with the SSE streams for as long as
 * it is open; past the cap its handshake gets 503 in the shape an SSE request gets, while health and the running
 * streams keep answering; closing a socket, by the client, by the service or by dropping the connection, frees its
 * slot once, and a handshake refused as invalid holds none.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "rkllm.limits.max-streams=2")
class WebSocketStreamLimitTest extends LiveGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aWebSocketHoldsAStreamSlotUntilItClosesByAnyPath() throws Exception {
        String session = this.rpc.startBlocker("held");
        RawSseClient sse = stream("/streams/" + session, Map.of());
        sse.nextEvent((event) -> "chunk".equals(event.event()), WAIT);

        try (RawHttp invalid = RawHttp.connect(this.port)) {
            invalid.get("/ws", Map.of("Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13"));
            assertThat(invalid.head().status()).as("a handshake without Sec-WebSocket-Key").isEqualTo(400);
            invalid.readBody();
            // Its connection stays open for more requests, but holds no stream.
            try (WsClient socket = WsClient.connect(this.port)) {
                assertRefused();
            }
        }
        try (WsClient socket = awaitAdmitted()) {
            assertRefused();
            assertRefused();
            assertThat(RawHttp.get(this.port, "/actuator/health/liveness").status()).isEqualTo(200);
            assertThat(socket.result("ping", Map.of(), WAIT).get("pong").asBoolean()).isTrue();
            sse.nextEvent((event) -> "chunk".equals(event.event()), WAIT);
        }
        WsClient closedByService = awaitAdmitted();
        assertRefused();
        closedByService.sendBinary(new byte[] { 1 });
        assertThat(closedByService.closeCode(WAIT)).isEqualTo(1003);

        RawWebSocket dropped = awaitAdmitted(() -> RawWebSocket.open(this.port));
        assertRefused();
        dropped.close();
        try (WsClient last = awaitAdmitted()) {
            assertRefused();
            assertThat(last.result("ping", Map.of(), WAIT).get("pong").asBoolean()).isTrue();
        }
    }

    /** A handshake past the cap: 503 with a JSON-RPC error naming the setting and a retry hint, no upgrade. */
    private void assertRefused() throws Exception {
        try (RawHttp http = RawWebSocket.handshake(RawHttp.connect(this.port), Map.of())) {
            assertThat(http.head().status()).as("a third stream past max-streams 2").isEqualTo(503);
            assertThat(http.head().headers()).containsEntry("retry-after", "1");
            String body = new String(http.readBody(), StandardCharsets.UTF_8);
            assertThat(body).contains("\"code\":-32000").contains("rkllm.limits.max-streams");
        }
    }

    private WsClient awaitAdmitted() throws Exception {
        return awaitAdmitted(() -> WsClient.connect(this.port));
    }

    /** Opens a socket once a slot is free again: the close that frees it is seen by the service a little later. */
    private <T> T awaitAdmitted(Opening<T> opening) {
        return await("a free stream slot").atMost(WAIT).ignoreExceptions().until(opening::open, (socket) -> true);
    }

    @FunctionalInterface
    private interface Opening<T> {

        T open() throws Exception;

    }

}
