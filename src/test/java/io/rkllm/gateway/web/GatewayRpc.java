package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** JSON-RPC calls to a running service over {@link RawHttp#post}, with the answer checked for its shape. */
public final class GatewayRpc {

    private static final AtomicLong ids = new AtomicLong();

    private final HttpExchange http;

    /** Calls over a real socket to a running service. */
    public GatewayRpc(int port) {
        this(HttpExchange.socket(port));
    }

    GatewayRpc(HttpExchange http) {
        this.http = http;
    }

    /** A request object with a fresh numeric id. */
    static String request(String method, Map<String, ?> params) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("jsonrpc", "2.0");
        request.put("id", ids.incrementAndGet());
        request.put("method", method);
        request.put("params", params);
        return JsonMapper.shared().writeValueAsString(request);
    }

    /** The whole response object of a call, which must be HTTP 200. */
    public JsonNode call(String method, Map<String, ?> params) {
        RawHttp.Answer answer = this.http.post(request(method, params));
        assertThat(answer.status()).as("HTTP status of %s: %s", method, answer.body()).isEqualTo(200);
        return JsonMapper.shared().readTree(answer.body());
    }

    /** The result of a call that must succeed. */
    public JsonNode result(String method, Map<String, ?> params) {
        JsonNode response = call(method, params);
        assertThat(response.has("error")).as("%s answered %s", method, response).isFalse();
        return response.get("result");
    }

    public JsonNode result(String method) {
        return result(method, Map.of());
    }

    /** The error object of a call that must fail. */
    public JsonNode error(String method, Map<String, ?> params) {
        JsonNode response = call(method, params);
        assertThat(response.has("result")).as("%s answered %s", method, response).isFalse();
        return response.get("error");
    }

    public boolean isRunning() {
        return result("rkllm_is_running").get("running").asBoolean();
    }

    public JsonNode status() {
        return result("stream_manager_status");
    }

    /**
     * The session as {@code GET /actuator/streams} lists it, without naming it to the service (which would count as
     * activity), or null when it is not there.
     */
    public @Nullable JsonNode listedSession(String id) {
        RawHttp.Answer answer = this.http.get("/actuator/streams");
        assertThat(answer.status()).as("GET /actuator/streams: %s", answer.body()).isEqualTo(200);
        for (JsonNode session : JsonMapper.shared().readTree(answer.body()).get("sessions")) {
            if (session.get("id").asString().equals(id)) {
                return session;
            }
        }
        return null;
    }

    /** Waits until nothing runs on the NPU and nothing waits for it. */
    public void awaitNpuFree() {
        await("NPU free").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            JsonNode status = status();
            assertThat(status.get("running_session_id").isNull()).as("running session in %s", status).isTrue();
            assertThat(status.get("queued").asInt()).as("queued in %s", status).isZero();
            assertThat(isRunning()).as("rkllm_is_running").isFalse();
        });
    }

    /**
     * Starts a run that holds the NPU until it is aborted (100000 tokens 5 ms apart: over 8 minutes), so that later
     * runs queue.
     *
     * @return its session id
     */
    public String startBlocker(String word) {
        JsonNode started = result("rkllm_run_async", Map.of("prompt_input",
                word + " [[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=100000]]", "max_new_tokens", 100_000));
        assertThat(started.get("status").asString()).isEqualTo("streaming_started");
        return started.get("session_id").asString();
    }

    /** Aborts what runs on the NPU until nothing runs or waits, so that a failed test leaves nothing behind. */
    public void abortUntilFree() {
        await("NPU freed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            result("rkllm_abort");
            JsonNode status = status();
            return status.get("running_session_id").isNull() && status.get("queued").asInt() == 0;
        });
    }

}
