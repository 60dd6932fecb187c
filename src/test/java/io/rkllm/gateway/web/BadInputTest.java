package io.rkllm.gateway.web;


import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of bad input gets its exact JSON-RPC error code (or HTTP status), a message naming what is wrong and no
 * trace of the implementation; the service answers {@code ping} after each.
 */
@SpringBootTest
class BadInputTest {

    /** What no answer may carry: stack traces, exception and class names. */
    private static final List<String> LEAKS = List.of("Exception", "java.", "io.rkllm", "\tat ", "tools.jackson",
            "reactor.");

    private static final String RUN = "\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_run\"";

    @Autowired
    private ApplicationContext context;

    private HttpExchange http;

    private GatewayRpc rpc;

    @BeforeEach
    void bindToTheRoutes() {
        this.http = HttpExchange.routes(this.context);
        this.rpc = new GatewayRpc(this.http);
    }

    @AfterEach
    void serviceStillAnswersPing() {
        assertThat(this.rpc.result("ping")).isEqualTo(JsonMapper.shared().readTree("{\"pong\":true}"));
    }

    static List<Case> errors() {
        return List.of(
                new Case("malformed JSON", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":", -32700, "parse error", "null"),
                new Case("empty body", "", -32700, "parse error", "null"),
                new Case("whitespace only", "  \r\n ", -32700, "parse error", "null"),
                new Case("trailing garbage", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} xyz", -32700,
                        "parse error", "null"),
                new Case("two objects",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"
                                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}",
                        -32700, "parse error", "null"),
                new Case("NaN, which JSON does not have",
                        "{" + RUN + ",\"params\":{\"prompt_input\":\"x\",\"sampling\":{\"top_p\":NaN}}}", -32700,
                        "parse error", "null"),
                new Case("nesting 5000 deep", "[".repeat(5000) + "]".repeat(5000), -32700, "parse error", "null"),
                new Case("invalid UTF-8 in a string", utf8Broken(), -32700, "parse error", "null"),
                new Case("not an object", "5", -32600, "invalid request", "null"),
                new Case("jsonrpc 1.0", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", -32600, "jsonrpc", "1"),
                new Case("jsonrpc missing", "{\"id\":\"a\",\"method\":\"ping\"}", -32600, "jsonrpc", "\"a\""),
                new Case("id an object", "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", -32600, "id", "null"),
                new Case("id a boolean", "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", -32600, "id", "null"),
                new Case("method not a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", -32600, "method", "1"),
                new Case("params a number", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":5}", -32600,
                        "params", "1"),
                new Case("params an array", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[]}", -32602,
                        "params", "1"),
                new Case("unknown method", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_nope\"}", -32601,
                        "rkllm_nope", "1"),
                new Case("unknown method with a null id", "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"nope\"}",
                        -32601, "nope", "null"),
                new Case("prompt_input a number", "{" + RUN + ",\"params\":{\"prompt_input\":5}}", -32602,
                        "prompt_input", "1"),
                new Case("max_new_tokens negative",
                        "{" + RUN + ",\"params\":{\"prompt_input\":\"x\",\"max_new_tokens\":-3}}", -32602,
                        "max_new_tokens", "1"),
                new Case("delay_ms too long",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test_streaming_callback\","
                                + "\"params\":{\"mock_tokens\":[\"a\"],\"delay_ms\":20000}}",
                        -32602, "delay_ms", "1"),
                new Case("sampling.top_p above 1",
                        "{" + RUN + ",\"params\":{\"prompt_input\":\"x\",\"sampling\":{\"top_p\":7}}}", -32602, "top_p",
                        "1"),
                new Case("unknown sampling field",
                        "{" + RUN + ",\"params\":{\"prompt_input\":\"x\",\"sampling\":{\"top_q\":1}}}", -32602,
                        "sampling.top_q", "1"),
                new Case("temperature beyond the float range",
                        "{" + RUN + ",\"params\":{\"prompt_input\":\"x\",\"sampling\":{\"temperature\":1e39}}}",
                        -32602, "sampling.temperature", "1"),
                new Case("a NUL in the prompt, which would cut the C string",
                        "{" + RUN + ",\"params\":{\"prompt_input\":\"a\\u0000b\"}}", -32602, "prompt_input", "1"),
                new Case("unknown param", "{" + RUN + ",\"params\":{\"prompt_input\":\"x\",\"bogus\":1}}", -32602,
                        "bogus", "1"),
                new Case("poll of an unknown session",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"poll\",\"params\":{\"session_id\":\"nope\"}}",
                        -32001, "nope", "1"),
                new Case("abort of an unknown session",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_abort\","
                                + "\"params\":{\"session_id\":\"nope\"}}",
                        -32001, "nope", "1"),
                new Case("prompt cache outside cache-dir",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_load_prompt_cache\","
                                + "\"params\":{\"prompt_cache_path\":\"../../etc/passwd\"}}",
                        -32007, "prompt_cache_path", "1"),
                new Case("LoRA adapter outside model-dir",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_load_lora\","
                                + "\"params\":{\"lora_adapter_path\":\"/etc/passwd\",\"lora_adapter_name\":\"x\"}}",
                        -32007, "lora_adapter_path", "1"),
                new Case("run saving its prompt cache outside cache-dir",
                        "{" + RUN + ",\"params\":{\"prompt_input\":\"x\","
                                + "\"prompt_cache\":{\"path\":\"../escape.bin\"}}}",
                        -32007, "prompt_cache.path", "1"),
                new Case("empty batch", "[]", -32600, "empty batch", "null"),
                new Case("batch over max-batch", batchOfPings(33), -32600, "max-batch", "null"),
                new Case("rkllm_init while admin methods are off",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_init\","
                                + "\"params\":{\"model_path\":\"tiny-sim.rkllm\"}}",
                        -32006, "rkllm.admin-methods.enabled", "1"),
                new Case("rkllm_destroy while admin methods are off",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_destroy\"}", -32006,
                        "rkllm.admin-methods.enabled", "1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void badRequestGetsItsErrorCodeWithHttp200AndNoImplementationDetail(Case bad) {
        RawHttp.Answer answer = this.http.post(bad.body());

        assertThat(answer.status()).isEqualTo(200);
        assertNoLeak(answer.body());
        JsonNode response = JsonMapper.shared().readTree(answer.body());
        assertThat(response.isObject()).as("one response object, not a batch: %s", answer.body()).isTrue();
        assertThat(response.propertyNames()).containsExactlyInAnyOrder("jsonrpc", "id", "error");
        assertThat(response.get("jsonrpc").asString()).isEqualTo("2.0");
        assertThat(response.get("id").toString()).isEqualTo(bad.id());
        JsonNode error = response.get("error");
        assertThat(error.get("code").asInt()).isEqualTo(bad.code());
        assertThat(error.get("message").asString()).contains(bad.messagePart());
    }

    static List<Case> silent() {
        return List.of(new Case("notification", "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}", 0, "", ""),
                new Case("notification of an unknown method", "{\"jsonrpc\":\"2.0\",\"method\":\"rkllm_nope\"}", 0, "",
                        ""),
                new Case("batch of notifications only",
                        "[{\"jsonrpc\":\"2.0\",\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}]", 0, "",
                        ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("silent")
    void notificationsOnlyGetNoContent(Case notification) {
        RawHttp.Answer answer = this.http.post(notification.body());

        assertThat(answer.status()).isEqualTo(204);
        assertThat(answer.body()).isEmpty();
    }

    @Test
    void batchAnswersEachRequestInOrderAndLeavesNotificationsOut() {
        String batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"1.0\",\"id\":2,\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"}]";

        RawHttp.Answer answer = this.http.post(batch);

        assertThat(answer.status()).isEqualTo(200);
        JsonNode responses = JsonMapper.shared().readTree(answer.body());
        assertThat(responses.isArray()).isTrue();
        assertThat(responses).hasSize(3);
        assertThat(responses.get(0).get("result").get("pong").asBoolean()).isTrue();
        assertThat(responses.get(0).has("error")).isFalse();
        assertThat(responses.get(1).get("id").asInt()).isEqualTo(2);
        assertThat(responses.get(1).get("error").get("code").asInt()).isEqualTo(-32600);
        assertThat(responses.get(1).has("result")).isFalse();
        assertThat(responses.get(2).get("id").asInt()).isEqualTo(3);
        assertThat(responses.get(2).get("error").get("code").asInt()).isEqualTo(-32601);
    }

    /** Requests that neither run anything nor change the model, as seeds for {@link #mangled}. */
    private static final List<String> HARMLESS = List.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"poll\",\"params\":{\"session_id\":\"x\",\"since_seq\":3}}",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"stream_manager_status\",\"params\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"rkllm_load_prompt_cache\","
                    + "\"params\":{\"prompt_cache_path\":\"../x.bin\"}}",
            "[{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"rkllm_get_constants\"},"
                    + "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}]");

    private static final byte[] NOISE = "{}[]\",:0123456789-.eEtrunflsaxé\\ \t\n".getBytes(StandardCharsets.UTF_8);

    /** Seeded mutations of harmless requests: bytes dropped, inserted, replaced or repeated; invalid UTF-8 too. */
    static List<byte[]> mangled(long seed) {
        Random random = new Random(seed);
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            byte[] body = HARMLESS.get(random.nextInt(HARMLESS.size())).getBytes(StandardCharsets.UTF_8);
            for (int edits = 1 + random.nextInt(3); edits > 0 && body.length > 0; edits--) {
                int at = random.nextInt(body.length);
                byte noise = (random.nextInt(8) == 0) ? (byte) (0x80 + random.nextInt(0x80))
                        : NOISE[random.nextInt(NOISE.length)];
                body = switch (random.nextInt(4)) {
                    case 0 -> concat(Arrays.copyOf(body, at), Arrays.copyOfRange(body, at + 1, body.length));
                    case 1 -> concat(Arrays.copyOf(body, at), new byte[] { noise },
                            Arrays.copyOfRange(body, at, body.length));
                    case 2 -> {
                        body[at] = noise;
                        yield body;
                    }
                    default -> concat(Arrays.copyOf(body, at), Arrays.copyOfRange(body, at / 2, body.length));
                };
            }
            bodies.add(body);
        }
        return bodies;
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[Arrays.stream(parts).mapToInt((part) -> part.length).sum()];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = { 1, 2, 3 })
    void mangledRequestsGetWellFormedAnswersAndNeverAnInternalError(long seed) {
        for (byte[] body : mangled(seed)) {
            String sent = new String(body, StandardCharsets.UTF_8);
            RawHttp.Answer answer = this.http.post(body);

            assertThat(answer.status()).as("HTTP status for %s", sent).isIn(200, 204);
            if (answer.status() == 204) {
                assertThat(answer.body()).isEmpty();
                continue;
            }
            assertNoLeak(answer.body());
            JsonNode reply = JsonMapper.shared().readTree(answer.body());
            List<JsonNode> responses = new ArrayList<>();
            if (reply.isArray()) {
                reply.forEach(responses::add);
            }
            else {
                responses.add(reply);
            }
            assertThat(responses).as("answer to %s: %s", sent, answer.body()).isNotEmpty().allSatisfy((response) -> {
                assertThat(response.get("jsonrpc").asString()).isEqualTo("2.0");
                assertThat(response.has("id")).isTrue();
                assertThat(response.has("result")).isNotEqualTo(response.has("error"));
                if (response.has("error")) {
                    // -32004: a prompt-cache path that stays inside cache-dir names no file.
                    assertThat(response.get("error").get("code").asInt()).isIn(-32700, -32600, -32601, -32602, -32001,
                            -32004, -32007);
                    assertThat(response.get("error").get("message").asString()).isNotBlank();
                }
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "???", "text/event-stream;q=abc" })
    void acceptHeaderThatDoesNotParseStillGetsAJsonRpcAnswer(String accept) {
        RawHttp.Answer answer = this.http.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}"
            .getBytes(StandardCharsets.UTF_8), Map.of("Accept", accept));

        assertThat(answer.status()).isEqualTo(200);
        assertNoLeak(answer.body());
        assertThat(JsonMapper.shared().readTree(answer.body()))
            .isEqualTo(JsonMapper.shared().readTree("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"pong\":true}}"));
    }

    static void assertNoLeak(String body) {
        assertThat(body).doesNotContain(LEAKS).doesNotContain("\"error\":null").doesNotContain("\"result\":null");
    }

    /** A valid request whose prompt makes the body a little over 1 MiB, the default limit. */
    static byte[] oversized() {
        char[] prompt = new char[1024 * 1024 + 16];
        Arrays.fill(prompt, 'a');
        return ("{" + RUN + ",\"params\":{\"prompt_input\":\"" + new String(prompt) + "\"}}")
            .getBytes(StandardCharsets.UTF_8);
    }

    /** A run whose prompt holds 0xC3 0x28: a lead byte followed by one that cannot continue it. */
    private static byte[] utf8Broken() {
        byte[] head = ("{" + RUN + ",\"params\":{\"prompt_input\":\"a").getBytes(StandardCharsets.UTF_8);
        byte[] tail = "b\"}}".getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(head, head.length + 2 + tail.length);
        body[head.length] = (byte) 0xC3;
        body[head.length + 1] = (byte) 0x28;
        System.arraycopy(tail, 0, body, head.length + 2, tail.length);
        return body;
    }

    private static String batchOfPings(int count) {
        return IntStream.range(0, count)
            .mapToObj((i) -> "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"ping\"}")
            .collect(Collectors.joining(",", "[", "]"));
    }

    /**
     * One bad input and what it must get.
     *
     * @param id the response's id as JSON text
     */
    record Case(String name, byte[] body, int code, String messagePart, String id) {

        Case(String name, String body, int code, String messagePart, String id) {
            this(name, body.getBytes(StandardCharsets.UTF_8), code, messagePart, id);
        }

        @Override
        public String toString() {
            return this.name;
        }

    }

}
