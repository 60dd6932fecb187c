package io.rkllm.gateway.web;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without its runtime library the service still answers JSON-RPC: the methods that need the runtime refuse with
 * -32003 and the reason, the others work.
 */
@SpringBootTest(properties = "rkllm.library-path=/nonexistent/librkllmrt.so")
class UnavailableRuntimeRpcTest {

    private static final String REASON = "no runtime library at /nonexistent/librkllmrt.so";

    @Autowired
    private ApplicationContext context;

    private HttpExchange http;

    private GatewayRpc rpc;

    @BeforeEach
    void bindToTheRoutes() {
        this.http = HttpExchange.routes(this.context);
        this.rpc = new GatewayRpc(this.http);
    }

    @ParameterizedTest
    @ValueSource(strings = { "rkllm_run", "rkllm_run_async" })
    void runIsRefusedAsRuntimeUnavailableWithTheReason(String method) {
        JsonNode error = this.rpc.error(method, Map.of("prompt_input", "Hi [[sim:tokens=5]]"));

        assertThat(error.get("code").asInt()).isEqualTo(-32003);
        assertThat(error.get("message").asString()).contains(REASON);
    }

    @Test
    void kvCacheSizeIsRefusedAsRuntimeUnavailableWithTheReason() {
        JsonNode error = this.rpc.error("rkllm_get_kv_cache_size", Map.of());

        assertThat(error.get("code").asInt()).isEqualTo(-32003);
        assertThat(error.get("message").asString()).contains(REASON);
    }

    @Test
    void runAskedForAsEventStreamIsRefusedAsJson() {
        String request = GatewayRpc.request("rkllm_run", Map.of("prompt_input", "Hi"));

        RawHttp.Answer answer = this.http.post(request.getBytes(StandardCharsets.UTF_8),
                Map.of("Accept", "text/event-stream"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).startsWith("application/json");
        JsonNode error = JsonMapper.shared().readTree(answer.body()).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(-32003);
        assertThat(error.get("message").asString()).contains(REASON);
    }

    @Test
    void pingStillAnswers() {
        assertThat(this.rpc.result("ping")).isEqualTo(JsonMapper.shared().readTree("{\"pong\":true}"));
    }

    @Test
    void nothingIsRunning() {
        assertThat(this.rpc.result("rkllm_is_running")).isEqualTo(JsonMapper.shared().readTree("{\"running\":false}"));
    }

}
