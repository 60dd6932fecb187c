package io.rkllm.gateway.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Over real sockets: a client that sends its request headers a byte at a time (slowloris), which the idle timeout
 * never stops, gets 408 and loses its connection after {@code rkllm.limits.header-timeout}, and one that trickles its
 * body after {@code rkllm.limits.request-timeout}; streams and answers that last longer than both (SSE, WebSocket, a
 * blocking run over HTTP) and a kept-alive connection waiting between requests are not cut.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.limits.header-timeout=1s", "rkllm.limits.request-timeout=2s" })
class RequestDeadlinesTest extends LiveGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A run of about three seconds: past both deadlines. */
    private static final String SLOW = "slow [[sim:prefill_ms=0]][[sim:delay_us=10000]][[sim:tokens=300]]";

    @Test
    void headersSentAByteAtATimeGet408AfterTheHeaderTimeout() throws Exception {
        byte[] request = ("GET /actuator/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(1000) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

        assertTrickledBytesGet408(new byte[0], request, "rkllm.limits.header-timeout", Duration.ofMillis(900));
    }

    @Test
    void aBodySentAByteAtATimeGets408AfterTheRequestTimeout() throws Exception {
        byte[] body = GatewayRpc.request("ping", Map.of("padding", "x".repeat(1000))).getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        assertTrickledBytesGet408(head, body, "rkllm.limits.request-timeout", Duration.ofMillis(1900));
    }

    /**
     * Sends {@code head} at once and then {@code trickled} a byte every 50 ms: the answer is 408 naming
     * {@code setting}, no sooner than {@code atLeast} after the trickle began and before it ended; health answers
     * after.
     */
    private void assertTrickledBytesGet408(byte[] head, byte[] trickled, String setting, Duration atLeast)
            throws Exception {
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (RawHttp http = RawHttp.connect(this.port)) {
            http.write(head);
            long start = System.nanoTime();
            trickle.scheduleAtFixedRate(() -> {
                try {
                    http.write(new byte[] { trickled[sent.getAndIncrement()] });
                }
                catch (Exception ex) {
                    throw new IllegalStateException("closed", ex);
                }
            }, 0, 50, TimeUnit.MILLISECONDS);

            assertThat(http.head().status()).isEqualTo(408);
            String answer = new String(http.readBody(), StandardCharsets.UTF_8);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);

            assertThat(answer).contains(setting).contains("\"code\":-32000");
            assertThat(waited).isGreaterThan(atLeast).isLessThan(WAIT);
            assertThat(sent.get()).as("bytes trickled before the close").isLessThan(trickled.length);
        }
        finally {
            trickle.shutdownNow();
        }
        assertThat(RawHttp.get(this.port, "/actuator/health/liveness").status()).isEqualTo(200);
    }

    @Test
    void streamsLongAnswersAndKeptAliveConnectionsOutliveBothDeadlines() throws Exception {
        String session = this.rpc.result("rkllm_run_async", Map.of("prompt_input", SLOW)).get("session_id").asString();
        RawSseClient sse = stream("/streams/" + session, Map.of());
        try (RawHttp keptAlive = RawHttp.connect(this.port); WsClient socket = WsClient.connect(this.port)) {
            assertThat(ping(keptAlive)).isTrue();
            long start = System.nanoTime();

            // Queued behind the first run: answered after both, some four seconds on.
            RawHttp.Answer answer = RawHttp.post(this.port, GatewayRpc.request("rkllm_run",
                    Map.of("prompt_input", "queued [[sim:prefill_ms=0]][[sim:delay_us=10000]][[sim:tokens=100]]")));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the runs outlasted both deadlines")
                .isGreaterThan(Duration.ofSeconds(2));

            assertThat(answer.status()).isEqualTo(200);
            assertThat(JsonMapper.shared().readTree(answer.body()).at("/result/finish_reason").asString())
                .as("a blocking run answered over HTTP: %s", answer.body()).isEqualTo("stop");
            assertThat(sse.eventsUntilEndChunk(WAIT)).as("the SSE stream read to its end").isNotEmpty();
            assertThat(socket.result("ping", Map.of(), WAIT).get("pong").asBoolean()).isTrue();
            assertThat(ping(keptAlive)).as("the kept-alive connection's next request").isTrue();
        }
    }

    private static boolean ping(RawHttp http) throws Exception {
        http.post("/rpc", Map.of("Content-Type", "application/json"), GatewayRpc.request("ping", Map.of()));
        assertThat(http.head().status()).isEqualTo(200);
        return JsonMapper.shared().readTree(http.readBody()).at("/result/pong").asBoolean();
    }

}
