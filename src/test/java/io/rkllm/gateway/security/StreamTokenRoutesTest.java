package io.rkllm.gateway.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.rkllm.gateway.config.SecurityProperties;
import io.rkllm.gateway.stream.MutableClock;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page that holds a key only in memory reads its session through the {@code stream_url} it was given, as an
 * {@code EventSource} would, with no header; the token in it opens no other session, and an altered or expired one
 * gets 401.
 */
@KeyedGateway
class StreamTokenRoutesTest {

    private static final String QUICK = "hi [[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=5]]";

    @LocalServerPort
    private int port;

    @Test
    void aPageLikeClientReadsItsSessionWithTheTokenAndNoHeader() {
        HttpCalls http = new HttpCalls(this.port);
        JsonNode started = http.rpc(KeyedGateway.WEB, "rkllm_run_async", Map.of("prompt_input", QUICK), 1)
            .get("result");
        String url = started.get("stream_url").asString();
        assertThat(url).startsWith("/streams/" + started.get("session_id").asString() + "?access_token=")
            .doesNotContain(KeyedGateway.WEB);

        HttpCalls.Answer stream = http.send("GET", url, Map.of("Accept", "text/event-stream"), null);

        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
        assertThat(stream.body()).contains("id: 4").contains("\"end\":true");
    }

    @Test
    void aStreamedRunNamesItsTokenisedUrlInItsFirstEvent() {
        HttpCalls http = new HttpCalls(this.port);
        HttpCalls.Answer answer = http.postJson("/rpc",
                Map.of("Accept", "text/event-stream", "x-api-key", KeyedGateway.WEB),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_run\",\"params\":{\"prompt_input\":\"" + QUICK + "\"}}");

        assertThat(answer.body()).startsWith("event: session\ndata: ").contains("?access_token=");
    }

    @Test
    void theTokenOfOneSessionOpensNoOtherAndAnAlteredOrExpiredOneIsRefused() {
        HttpCalls http = new HttpCalls(this.port);
        String first = http.rpc(KeyedGateway.WEB, "rkllm_run_async", Map.of("prompt_input", QUICK), 1)
            .at("/result/stream_url")
            .asString();
        String second = http.rpc(KeyedGateway.WEB, "rkllm_run_async", Map.of("prompt_input", QUICK), 2)
            .at("/result/session_id")
            .asString();
        String token = first.substring(first.indexOf("access_token=") + "access_token=".length());
        StreamTokens pastIssuer = new StreamTokens(
                new SecurityProperties.StreamTokens(Duration.ofMinutes(10), KeyedGateway.TOKEN_SECRET),
                new MutableClock(Instant.now().minus(Duration.ofMinutes(11))));

        assertRefused(http.send("GET", "/streams/" + second + "?access_token=" + token, Map.of(), null), "not valid");
        assertRefused(http.send("GET", first.replace("access_token=", "access_token=9"), Map.of(), null),
                "not valid");
        assertRefused(http.send("GET", "/streams/" + second + "?access_token=" + pastIssuer.issue(second, "web"),
                Map.of(), null), "expired");
        assertRefused(http.send("POST", "/rpc?access_token=" + token, Map.of("Content-Type", "application/json"),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"), "API key is required");
    }

    private static void assertRefused(HttpCalls.Answer answer, String messagePart) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        assertThat(answer.json().at("/error/code").asInt()).isEqualTo(-32008);
        assertThat(answer.json().at("/error/message").asString()).contains(messagePart);
    }

}
