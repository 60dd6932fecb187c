package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A WebSocket lives as long as its heartbeat says, not as long as an HTTP request may: Reactor Netty's read and
 * request timeouts belong to the HTTP exchange and outlived the upgrade, closing a socket that sent nothing for the
 * read timeout and every socket the request timeout after its handshake. Here all three HTTP timeouts are a second and
 * the heartbeat is longer than the test.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.streams.heartbeat=60s", "rkllm.limits.read-timeout=1s", "rkllm.limits.idle-timeout=1s",
            "rkllm.limits.request-timeout=1s" })
class WebSocketLifetimeTest extends LiveGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aQuietSocketOutlivesTheHttpTimeouts() throws Exception {
        try (WsClient socket = WsClient.connect(this.port)) {
            await("the socket stays open past three times the HTTP timeouts").during(Duration.ofSeconds(3))
                .atMost(WAIT)
                .until(socket::isOpen);

            assertThat(socket.result("ping", Map.of(), WAIT).get("pong").asBoolean()).isTrue();
        }
    }

}
