package io.rkllm.gateway.security;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seeded fuzz suite: for each seed, a fixed number of generated hostile requests across the API routes (deep
 * nesting, huge numbers, long strings, invalid UTF-8, odd ids, 10,000-element batches, wrong types, oversized
 * prompts, NUL characters). Every answer is a well-formed answer of its API, never a 5xx, never internals; the
 * service answers {@code ping} afterwards. A failure names its seed and request, so it can be replayed.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class HostileInputFuzzTest {

    private static final int REQUESTS_PER_SEED = 120;

    /** What no answer may carry: stack traces, class names, paths of this machine. */
    private static final List<String> LEAKS = List.of("Exception", "java.", "io.rkllm", "\tat ", "tools.jackson",
            "reactor.", "org.springframework", System.getProperty("user.dir"), "/usr/", "/tmp/", "/home/");

    private static final Set<Integer> RPC_CODES = Set.of(-32700, -32600, -32601, -32602, -32001, -32006, -32007);

    private static final List<String> RUN_METHODS = List.of("rkllm_run", "rkllm_run_async", "poll", "rkllm_abort",
            "test_streaming_callback", "rkllm_set_chat_template", "rkllm_load_lora", "rkllm_clear_kv_cache");

    @LocalServerPort
    private int port;

    /** One generated request: where it goes and what it sends. */
    record Hostile(String kind, String method, String path, byte[] body) {

        @Override
        public String toString() {
            String text = new String(this.body, StandardCharsets.UTF_8);
            return this.kind + " " + this.method + " " + this.path + " "
                    + ((text.length() > 200) ? text.substring(0, 200) + "… (" + text.length() + ")" : text);
        }

    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = { 20, 2020, 424242 })
    void everyHostileRequestGetsAWellFormedAnswerOfItsApi(long seed) {
        HttpCalls http = new HttpCalls(this.port);
        List<Hostile> requests = generate(seed);
        assertThat(requests).hasSize(REQUESTS_PER_SEED);

        for (Hostile request : requests) {
            HttpCalls.Answer answer = http.sendBytes(request.method(), request.path(),
                    Map.of("Content-Type", "application/json"), request.body());

            assertThat(answer.status()).as("seed %d: %s -> %s", seed, request, answer.body()).isLessThan(500);
            assertThat(answer.body()).as("seed %d: %s", seed, request).doesNotContain(LEAKS);
            check(request, answer, seed);
        }
        JsonNode pong = http.postJson("/rpc", Map.of(), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").json();
        assertThat(pong.at("/result/pong").asBoolean()).isTrue();
    }

    @Test
    void eachBoundIsAnsweredWithItsErrorNamingTheSetting() {
        HttpCalls http = new HttpCalls(this.port);
        String nested = "[".repeat(70) + "]".repeat(70);
        assertError(http, nested, -32700, "rkllm.limits.max-depth");
        assertError(http, request("\"" + "i".repeat(257) + "\"", "ping", "{}"), -32600, "rkllm.limits.max-id-length");
        assertError(http, request("1" + "0".repeat(300), "ping", "{}"), -32600, "rkllm.limits.max-id-length");
        assertError(http, request(1, "rkllm_run_async", "{\"prompt_input\":\"" + "é".repeat(131_073) + "\"}"),
                -32602, "prompt_input: is 262146 bytes, more than rkllm.limits.max-prompt-bytes");
        JsonNode deepEnough = http.postJson("/rpc", Map.of(),
                request("\"" + "i".repeat(256) + "\"", "ping", "{}")).json();
        assertThat(deepEnough.at("/result/pong").asBoolean()).as("an id of exactly the limit").isTrue();
    }

    private static void assertError(HttpCalls http, String json, int code, String message) {
        JsonNode answer = http.postJson("/rpc", Map.of(), json).json();
        assertThat(answer.at("/error/code").asInt()).as(answer.toString()).isEqualTo(code);
        assertThat(answer.at("/error/message").asString()).contains(message);
        assertThat(answer.get("id").isNull()).isEqualTo(code != -32602);
    }

    private static void check(Hostile request, HttpCalls.Answer answer, long seed) {
        String context = "seed " + seed + ": " + request + " -> " + answer.status() + " " + answer.body();
        if (request.path().equals("/rpc") || request.path().equals("/")) {
            assertThat(answer.status()).as(context).isIn(200, 204, 413);
            if (answer.status() == 200) {
                JsonNode reply = answer.json();
                List<JsonNode> responses = new ArrayList<>();
                if (reply.isArray()) {
                    reply.forEach(responses::add);
                }
                else {
                    responses.add(reply);
                }
                assertThat(responses).as(context).isNotEmpty().allSatisfy((response) -> {
                    assertThat(response.get("jsonrpc").asString()).isEqualTo("2.0");
                    assertThat(response.has("id")).isTrue();
                    assertThat(response.has("result")).isNotEqualTo(response.has("error"));
                    if (response.has("error")) {
                        assertThat(response.at("/error/code").asInt()).as(context).isIn(RPC_CODES);
                        assertThat(response.at("/error/message").asString()).isNotBlank().hasSizeLessThan(400);
                    }
                });
            }
            return;
        }
        if (request.path().startsWith("/streams/")) {
            assertThat(answer.status()).as(context).isIn(400, 404);
            // An encoded slash, NUL or the like is refused by Spring Security's firewall with an empty 400.
            if (!answer.body().isEmpty()) {
                assertThat(answer.json().at("/error/code").asInt()).as(context).isIn(-32602, -32001);
            }
            return;
        }
        // The other APIs (absent, or added by their own issues) answer in JSON, whatever they answer.
        if (!answer.body().isEmpty()) {
            assertThat(answer.json().isObject()).as(context).isTrue();
        }
    }

    static List<Hostile> generate(long seed) {
        Random random = new Random(seed);
        List<Function<Random, Hostile>> kinds = List.of(HostileInputFuzzTest::deepNesting,
                HostileInputFuzzTest::hugeNumber, HostileInputFuzzTest::longString, HostileInputFuzzTest::invalidUtf8,
                HostileInputFuzzTest::oddId, HostileInputFuzzTest::bigBatch, HostileInputFuzzTest::wrongTypes,
                HostileInputFuzzTest::oversizedOrNul, HostileInputFuzzTest::otherRoute);
        List<Hostile> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS_PER_SEED; i++) {
            requests.add(kinds.get(random.nextInt(kinds.size())).apply(random));
        }
        return requests;
    }

    private static String rpcPath(Random random) {
        return (random.nextInt(5) == 0) ? "/" : "/rpc";
    }

    private static Hostile rpc(String kind, Random random, String json) {
        return new Hostile(kind, "POST", rpcPath(random), json.getBytes(StandardCharsets.UTF_8));
    }

    private static String request(Object id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    private static Hostile deepNesting(Random random) {
        int depth = new int[] { 10, 50, 63, 64, 65, 200, 3000, 60000 }[random.nextInt(8)];
        boolean objects = random.nextBoolean();
        String open = objects ? "{\"a\":" : "[";
        String close = objects ? "}" : "]";
        String nested = open.repeat(depth) + "1" + close.repeat(depth);
        String json = switch (random.nextInt(3)) {
            case 0 -> nested;
            case 1 -> request(1, "ping", "{\"x\":" + nested + "}");
            default -> request(1, RUN_METHODS.get(random.nextInt(RUN_METHODS.size())),
                    "{\"sampling\":" + nested + "}");
        };
        return rpc("nesting " + depth, random, json);
    }

    private static Hostile hugeNumber(Random random) {
        String number = switch (random.nextInt(6)) {
            case 0 -> "1" + "0".repeat(1 + random.nextInt(3000));
            case 1 -> "1e999999999";
            case 2 -> "-1.5e-400";
            case 3 -> "-0";
            case 4 -> "123456789012345678901234567890";
            default -> "9".repeat(900) + ".5";
        };
        String json = switch (random.nextInt(3)) {
            case 0 -> request(number, "ping", "{}");
            case 1 -> request(1, "rkllm_run_async", "{\"prompt_input\":\"x\",\"max_new_tokens\":" + number + "}");
            default -> request(1, "poll", "{\"session_id\":\"x\",\"since_seq\":" + number + "}");
        };
        return rpc("number", random, json);
    }

    private static Hostile longString(Random random) {
        String text = "é€x".repeat(1 + random.nextInt(100_000));
        String json = switch (random.nextInt(4)) {
            case 0 -> request(1, text, "{}");
            case 1 -> request("\"" + text + "\"", "ping", "{}");
            case 2 -> request(1, "poll", "{\"session_id\":\"" + text + "\"}");
            default -> request(1, "rkllm_set_chat_template", "{\"" + text + "\":1}");
        };
        return rpc("long string", random, json);
    }

    private static Hostile invalidUtf8(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + (random.nextBoolean() ? "ping" : "poll")
                + "\",\"params\":{\"session_id\":\"a").getBytes(StandardCharsets.UTF_8));
        byte[][] broken = { { (byte) 0xC3, 0x28 }, { (byte) 0xFF }, { (byte) 0xED, (byte) 0xA0, (byte) 0x80 },
                { (byte) 0xF0, (byte) 0x9F }, { (byte) 0xC0, (byte) 0xAF } };
        out.writeBytes(broken[random.nextInt(broken.length)]);
        out.writeBytes("\"}}".getBytes(StandardCharsets.UTF_8));
        return new Hostile("invalid UTF-8", "POST", rpcPath(random), out.toByteArray());
    }

    private static Hostile oddId(Random random) {
        String id = switch (random.nextInt(9)) {
            case 0 -> "{}";
            case 1 -> "[1]";
            case 2 -> "true";
            case 3 -> "1.0000000000000000000001";
            case 4 -> "\"" + "i".repeat(200 + random.nextInt(2000)) + "\"";
            case 5 -> "\"\"";
            case 6 -> "-0.0";
            case 7 -> "\"\\u0000\"";
            default -> "null";
        };
        return rpc("odd id", random, request(id, "ping", "{}"));
    }

    private static Hostile bigBatch(Random random) {
        int size = random.nextBoolean() ? 10_000 : 33 + random.nextInt(500);
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < size; i++) {
            batch.append((i > 0) ? "," : "").append(random.nextBoolean() ? request(i, "ping", "{}") : "5");
        }
        return rpc("batch " + size, random, batch.append(']').toString());
    }

    private static Hostile wrongTypes(Random random) {
        String method = RUN_METHODS.get(random.nextInt(RUN_METHODS.size()));
        String json = switch (random.nextInt(8)) {
            case 0 -> request(1, method, "[1,2]");
            case 1 -> request(1, method, "\"params\"");
            case 2 -> "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}";
            case 3 -> "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":[\"ping\"]}";
            case 4 -> request(1, method, "{\"prompt_input\":[\"x\"],\"sampling\":\"hot\"}");
            case 5 -> request(1, method, "{\"input_type\":1,\"token_input\":[\"a\",{}]}");
            case 6 -> request(1, method, "{\"input_type\":2,\"embed_input\":{\"embed\":\"x\",\"n_tokens\":-1}}");
            default -> request(1, method, "{\"session_id\":{},\"since_seq\":\"1\",\"mock_tokens\":\"x\"}");
        };
        return rpc("wrong types", random, json);
    }

    private static Hostile oversizedOrNul(Random random) {
        String json = random.nextBoolean()
                ? request(1, random.nextBoolean() ? "rkllm_run" : "rkllm_run_async",
                        "{\"prompt_input\":\"" + "p".repeat(262_145 + random.nextInt(100_000)) + "\"}")
                : request(1, "rkllm_run_async", "{\"prompt_input\":\"a\\u0000b\"}");
        return rpc("oversized or NUL", random, json);
    }

    private static Hostile otherRoute(Random random) {
        String weird = new String[] { "..%2F..%2Fetc%2Fpasswd", "%00", "x".repeat(3000), "%C3%28", "a?last_event_id=-5",
                "a?last_event_id=99999999999999999999", "%E2%80%AE" }[random.nextInt(7)];
        return switch (random.nextInt(5)) {
            case 0 -> new Hostile("stream", "GET", "/streams/" + weird, new byte[0]);
            case 1 -> new Hostile("openai", "POST", "/v1/chat/completions",
                    "{\"model\":[],\"messages\":\"x\"}".getBytes(StandardCharsets.UTF_8));
            case 2 -> new Hostile("ollama", "POST", "/api/chat",
                    "{\"model\":1e999999,\"messages\":[[[[[]]]]]}".getBytes(StandardCharsets.UTF_8));
            case 3 -> new Hostile("mcp", "POST", "/mcp", "[".repeat(5000).getBytes(StandardCharsets.UTF_8));
            default -> new Hostile("actuator", "GET", "/actuator/streams/" + weird, new byte[0]);
        };
    }

}
