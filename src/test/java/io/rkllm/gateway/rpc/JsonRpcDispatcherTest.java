package io.rkllm.gateway.rpc;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.rkllm.gateway.nativebridge.InvalidParameterException;
import io.rkllm.gateway.nativebridge.RkllmCallException;
import io.rkllm.gateway.nativebridge.RuntimeUnavailableException;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Json;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The dispatcher on its own: how failures of handlers reach the client, and what it echoes back of a request. */
@ExtendWith(OutputCaptureExtension.class)
class JsonRpcDispatcherTest {

    private static final RpcContext HTTP = new RpcContext("rpc", false);

    private final ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();

    private final JsonRpcDispatcher dispatcher = new JsonRpcDispatcher(List.of(() -> List.of(
            RpcMethod.of("throws", "fails unexpectedly", List.of(), (call) -> {
                throw new IllegalStateException("secret /opt/internal/path in com.example.Internal");
            }),
            RpcMethod.of("fails_later", "fails unexpectedly in its Mono", List.of(),
                    (call) -> Mono.error(new NullPointerException("field x of com.example.Internal"))),
            RpcMethod.of("unavailable", "the bridge says unavailable", List.of(),
                    (call) -> Mono.error(new RuntimeUnavailableException("no model loaded"))),
            RpcMethod.of("call_failed", "a native call failed", List.of(),
                    (call) -> Mono.error(new RkllmCallException("rkllm_load_lora", -1))),
            RpcMethod.of("invalid", "a parameter refused in Java", List.of(),
                    (call) -> Mono.error(new InvalidParameterException("top_k", "must be 0 or more"))),
            RpcMethod.of("echo_id", "answers the id it got", List.of(), (call) -> Mono.just(Map.of("ok", true))))),
            JsonMapper.shared(), new JsonRpcDispatcher.Settings(32, false, false, "test"),
            (method, outcome) -> this.outcomes.add(method + ":" + outcome));

    private JsonNode dispatch(String body) {
        Reply reply = this.dispatcher.dispatch(body.getBytes(StandardCharsets.UTF_8), HTTP).block();
        assertThat(reply).isInstanceOf(Json.class);
        return JsonMapper.shared().valueToTree(((Json) reply).body());
    }

    private JsonNode call(String method) {
        return dispatch("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\"}");
    }

    @Test
    void aHandlerThatThrowsAnswersTheFixedInternalErrorAndLogsTheCause(CapturedOutput output) {
        for (String method : List.of("throws", "fails_later")) {
            JsonNode error = call(method).get("error");

            assertThat(error.get("code").asInt()).isEqualTo(-32603);
            assertThat(error.get("message").asString()).isEqualTo("internal error");
        }
        assertThat(output).contains("Method throws failed").contains("secret /opt/internal/path");
        assertThat(this.outcomes).containsExactly("throws:internal_error", "fails_later:internal_error");
    }

    @Test
    void theBridgesFailuresAreTranslatedByTheirKind() {
        assertThat(call("unavailable").get("error"))
            .isEqualTo(JsonMapper.shared().readTree("{\"code\":-32003,\"message\":\"runtime unavailable: no model loaded\"}"));
        assertThat(call("call_failed").get("error").get("code").asInt()).isEqualTo(-32004);
        assertThat(call("invalid").get("error"))
            .isEqualTo(JsonMapper.shared().readTree("{\"code\":-32602,\"message\":\"top_k: must be 0 or more\"}"));
    }

    @Test
    void anIdBeyondTheRangeOfADoubleComesBackAsTheNumberItIs() {
        JsonNode id = dispatch("{\"jsonrpc\":\"2.0\",\"id\":1e999999999,\"method\":\"echo_id\"}").get("id");

        assertThat(id.isNumber()).as("%s", id).isTrue();
        assertThat(id.decimalValue()).isEqualByComparingTo("1e999999999");
    }

    @Test
    void idsComeBackAsSent() {
        for (String id : List.of("1", "\"1\"", "1.5", "-0.25", "12345678901234567890123", "null", "\"\"")) {
            JsonNode response = dispatch("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"echo_id\"}");

            assertThat(response.get("id").toString()).isEqualTo(id);
        }
    }

    @Test
    void aHugeUnknownMethodNameIsNotEchoedWhole() {
        String name = "x".repeat(500_000);

        JsonNode error = call(name).get("error");

        assertThat(error.get("code").asInt()).isEqualTo(-32601);
        assertThat(error.get("message").asString()).startsWith("method not found: xxxx").hasSizeLessThan(200);
    }

    @Test
    void aResponseHoldsAResultOrAnErrorAndNeverBothOrNeither() {
        JsonRpcError error = JsonRpcError.of(ErrorCode.INTERNAL_ERROR, "x");

        assertThatIllegalArgumentException().isThrownBy(() -> new JsonRpcResponse("2.0", null, Map.of(), error));
        assertThatIllegalArgumentException().isThrownBy(() -> new JsonRpcResponse("2.0", null, null, null));
    }

}
