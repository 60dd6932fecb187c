package io.rkllm.gateway.security;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With API keys set, a session belongs to the key that started it: for another client key, poll, abort and its
 * stream answer as for a session that does not exist, and {@code poll} by {@code request_id} looks only among the
 * caller's own sessions, so two keys may use the same JSON-RPC ids. An admin key sees every session.
 */
@KeyedGateway
class OwnershipTest {

    private static final String QUICK = "[[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=5]]";

    private static final String ENDLESS = "[[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=100000]]";

    @LocalServerPort
    private int port;

    private HttpCalls http;

    @AfterEach
    void freeTheNpu() {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            this.http.rpc(KeyedGateway.OPS, "rkllm_abort", Map.of(), 0);
            return this.http.rpc(KeyedGateway.OPS, "stream_manager_status", Map.of(), 0)
                .at("/result/running_session_id")
                .isNull();
        });
    }

    @Test
    void anotherKeysSessionAnswersAsUnknownEverywhere() {
        this.http = new HttpCalls(this.port);
        String id = started(KeyedGateway.WEB, "mine " + ENDLESS, "run-1");

        for (JsonNode error : new JsonNode[] {
                this.http.rpc(KeyedGateway.PHONE, "poll", Map.of("session_id", id), 2).get("error"),
                this.http.rpc(KeyedGateway.PHONE, "rkllm_abort", Map.of("session_id", id), 3).get("error"),
                this.http.rpc(KeyedGateway.PHONE, "poll", Map.of("session_id", "no-such-session"), 4).get("error") }) {
            assertThat(error.get("code").asInt()).isEqualTo(-32001);
            assertThat(error.get("message").asString()).startsWith("no session ");
        }
        HttpCalls.Answer stream = this.http.send("GET", "/streams/" + id, HttpCalls.bearer(KeyedGateway.PHONE), null);
        assertThat(stream.status()).isEqualTo(404);
        assertThat(stream.json().at("/error/code").asInt()).isEqualTo(-32001);

        JsonNode abortRunning = this.http.rpc(KeyedGateway.PHONE, "rkllm_abort", Map.of(), 5).get("result");
        assertThat(abortRunning.get("aborted").asBoolean()).as("phone cannot abort web's run").isFalse();
        assertThat(this.http.rpc(KeyedGateway.WEB, "poll", Map.of("session_id", id), 6).at("/result/state").asString())
            .isEqualTo("running");
        assertThat(this.http.rpc(KeyedGateway.OPS, "poll", Map.of("session_id", id), 7).at("/result/state").asString())
            .as("an admin sees every session")
            .isEqualTo("running");
        JsonNode listed = this.http.send("GET", "/actuator/streams/" + id, Map.of("x-api-key", KeyedGateway.OPS), null)
            .json();
        assertThat(listed.get("key").asString()).isEqualTo("web");

        JsonNode aborted = this.http.rpc(KeyedGateway.WEB, "rkllm_abort", Map.of(), 8).get("result");
        assertThat(aborted.get("aborted").asBoolean()).isTrue();
        assertThat(aborted.get("session_id").asString()).isEqualTo(id);
    }

    @Test
    void pollByRequestIdFindsOnlyTheCallersOwnSession() {
        this.http = new HttpCalls(this.port);
        String web = started(KeyedGateway.WEB, "web " + QUICK, "same-id");
        assertThat(this.http.rpc(KeyedGateway.PHONE, "poll", Map.of("request_id", "same-id"), 2).at("/error/code")
            .asInt()).as("phone has no run with that id yet").isEqualTo(-32001);
        String phone = started(KeyedGateway.PHONE, "phone " + QUICK, "same-id");

        assertThat(this.http.rpc(KeyedGateway.WEB, "poll", Map.of("request_id", "same-id"), 3)
            .at("/result/session_id")
            .asString()).isEqualTo(web);
        assertThat(this.http.rpc(KeyedGateway.PHONE, "poll", Map.of("request_id", "same-id"), 4)
            .at("/result/session_id")
            .asString()).isEqualTo(phone);
        HttpCalls.Answer own = this.http.send("GET", "/streams/" + phone, HttpCalls.bearer(KeyedGateway.PHONE), null);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.body()).contains("\"end\":true");
    }

    private String started(String key, String prompt, Object requestId) {
        JsonNode result = this.http.rpc(key, "rkllm_run_async", Map.of("prompt_input", prompt), requestId)
            .get("result");
        assertThat(result).as("rkllm_run_async").isNotNull();
        return result.get("session_id").asString();
    }

}
