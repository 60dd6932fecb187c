package io.rkllm.gateway.web;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without its runtime library the service still answers JSON-RPC: the methods that need the runtime refuse with
 * -32003 and the reason, the others work.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "rkllm.library-path=/nonexistent/librkllmrt.so")
class UnavailableRuntimeRpcTest {

    private static final String REASON = "no runtime library at /nonexistent/librkllmrt.so";

    @LocalServerPort
    private int port;

    private GatewayRpc rpc;

    @BeforeEach
    void connect() {
        this.rpc = new GatewayRpc(this.port);
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
    void runAskedForAsEventStreamIsRefusedAsJson() throws Exception {
        String request = GatewayRpc.request("rkllm_run", Map.of("prompt_input", "Hi"));
        try (RawHttp http = RawHttp.connect(this.port)) {
            http.post("/rpc", Map.of("Accept", "text/event-stream"), request);

            assertThat(http.head().status()).isEqualTo(200);
            assertThat(http.head().header("Content-Type")).startsWith("application/json");
            JsonNode error = JsonMapper.shared().readTree(http.readBody()).get("error");
            assertThat(error.get("code").asInt()).isEqualTo(-32003);
            assertThat(error.get("message").asString()).contains(REASON);
        }
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
