package io.rkllm.gateway.ollama;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.rkllm.gateway.chat.ApiClient;
import io.rkllm.gateway.chat.LiveApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Ollama-compatible API over a real port on the simulator: the shapes real clients depend on, NDJSON streaming,
 * the queue, errors and the disconnect rule.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "rkllm.queue.capacity=5")
class OllamaApiTest extends LiveApiTest {

    private static Map<String, Object> chat(String content, Object... more) {
        return chatBody("tiny-sim:latest", content, more);
    }

    /** The lines of a streamed answer up to its end: the content, and the last object. */
    private static Streamed read(ApiClient.Lines lines) throws InterruptedException {
        StringBuilder content = new StringBuilder();
        List<JsonNode> objects = new ArrayList<>();
        for (String line : lines.rest(WAIT)) {
            JsonNode object = JsonMapper.shared().readTree(line);
            objects.add(object);
            if (object.has("message")) {
                content.append(object.get("message").get("content").asString());
            }
        }
        return new Streamed(content.toString(), objects);
    }

    private record Streamed(String content, List<JsonNode> objects) {

        JsonNode last() {
            return this.objects.get(this.objects.size() - 1);
        }

    }

    @Test
    void metadataShapesThatClientsDependOn() {
        JsonNode tag = this.api.get("/api/tags").json().get("models").get(0);
        assertThat(tag.get("name").asString()).isEqualTo("tiny-sim:latest");
        assertThat(tag.get("model").asString()).isEqualTo("tiny-sim:latest");
        assertThat(tag.get("size").asLong()).isPositive();
        assertThat(tag.get("digest").asString()).hasSize(64);
        assertThat(tag.get("details").get("format").asString()).isEqualTo("rkllm");
        OffsetDateTime.parse(tag.get("modified_at").asString());

        assertThat(this.api.get("/api/version").json().get("version").asString()).matches("\\d+\\.\\d+\\.\\d+");

        JsonNode running = this.api.get("/api/ps").json().get("models").get(0);
        assertThat(running.get("name").asString()).isEqualTo("tiny-sim:latest");
        assertThat(OffsetDateTime.parse(running.get("expires_at").asString())).isAfter(OffsetDateTime.now());
        assertThat(running.get("expires_at").asString()).endsWith("+00:00");

        for (String key : List.of("model", "name")) {
            JsonNode show = this.api.post("/api/show", Map.of(key, "tiny-sim")).json();
            assertThat(show.get("parameters").asString()).contains("num_ctx 4096");
            assertThat(show.has("template")).isTrue();
            assertThat(show.get("details").get("family").asString()).isEqualTo("rkllm");
            assertThat(show.get("model_info").get("rkllm.context_length").asInt()).isEqualTo(4096);
            assertThat(show.get("capabilities")).extracting(JsonNode::asString).contains("completion", "tools");
        }
        ApiClient.Answer missing = this.api.post("/api/show", Map.of("model", "llama3"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asString()).contains("llama3");
    }

    @Test
    void metadataRoutesAnswerAtOnceWhileTheNpuIsBusy() {
        this.rpc.startBlocker("BUSY");
        long start = System.nanoTime();
        assertThat(this.api.get("/api/tags").status()).isEqualTo(200);
        assertThat(this.api.get("/api/version").status()).isEqualTo(200);
        assertThat(this.api.get("/api/ps").status()).isEqualTo(200);
        assertThat(this.api.post("/api/show", Map.of("model", "tiny-sim:latest")).status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(this.rpc.isRunning()).isTrue();
    }

    @Test
    void chatStreamsNdjsonByDefaultAndEndsWithCountsAndNanosecondDurations() throws Exception {
        ApiClient.Lines lines = stream("/api/chat", chat("NDJSON " + FAST + "[[sim:new_tokens=3]]"));
        assertThat(lines.header("content-type")).startsWith("application/x-ndjson");
        Streamed streamed = read(lines);

        assertThat(streamed.content()).isEqualTo("NDJSON A river starts");
        JsonNode first = streamed.objects().get(0);
        assertThat(first.get("model").asString()).isEqualTo("tiny-sim:latest");
        assertThat(first.get("done").asBoolean()).isFalse();
        assertThat(first.get("message").get("role").asString()).isEqualTo("assistant");
        JsonNode last = streamed.last();
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.get("done_reason").asString()).isEqualTo("stop");
        for (String field : List.of("total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration",
                "eval_count", "eval_duration")) {
            assertThat(last.get(field).isIntegralNumber()).as(field).isTrue();
        }
        assertThat(last.get("eval_count").asInt()).isEqualTo(5);
        assertThat(last.get("total_duration").asLong()).isGreaterThanOrEqualTo(last.get("eval_duration").asLong());
    }

    @Test
    void generateWholeAndTheUnloadCallAnswersAtOnce() {
        JsonNode whole = this.api.post("/api/generate", Map.of("model", "tiny-sim", "prompt", "Once " + FAST
                + "[[sim:new_tokens=2]]", "stream", false, "options", Map.of("num_predict", 100))).json();
        assertThat(whole.get("response").asString()).isEqualTo("Once A river");
        assertThat(whole.get("done").asBoolean()).isTrue();

        this.rpc.startBlocker("BUSY");
        JsonNode unload = this.api.post("/api/generate", Map.of("model", "tiny-sim:latest", "prompt", "",
                "keep_alive", 0)).json();
        assertThat(unload.get("done").asBoolean()).isTrue();
        assertThat(unload.get("done_reason").asString()).isEqualTo("unload");
    }

    @Test
    void keepAliveIsReadLenientlyAndFormatRefusedClearly() {
        for (Object keepAlive : List.of(300, -1, 0, 2.5, "5m", "-1", "1h30m", "300", "-1m")) {
            ApiClient.Answer answer = this.api.post("/api/generate", Map.of("model", "tiny-sim", "prompt", "",
                    "keep_alive", keepAlive));
            assertThat(answer.status()).as("keep_alive %s: %s", keepAlive, answer.body()).isEqualTo(200);
        }
        ApiClient.Answer bad = this.api.post("/api/generate", Map.of("model", "tiny-sim", "prompt", "",
                "keep_alive", "soon"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asString()).contains("keep_alive");

        assertThat(this.api.post("/api/chat", chat("ok " + FAST + "[[sim:new_tokens=0]]", "format", "", "stream",
                false)).status()).isEqualTo(200);
        for (Object format : List.of("json", Map.of("type", "object"))) {
            ApiClient.Answer refused = this.api.post("/api/chat", chat("json please", "format", format));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.json().get("error").asString()).contains("format").contains("not supported");
        }
    }

    @Test
    void toolCallsComeBackWithObjectArgumentsAndThinkingApart() {
        JsonNode message = this.api.post("/api/chat", chat("<think>plan</think>Sure.<tool_call>{\"name\":"
                + "\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}</tool_call>" + FAST + "[[sim:new_tokens=0]]",
                "stream", false, "tools", List.of(Map.of("type", "function", "function", Map.of("name",
                        "get_weather", "parameters", Map.of("type", "object"))))))
            .json()
            .get("message");

        assertThat(message.get("content").asString()).isEqualTo("Sure.");
        assertThat(message.get("thinking").asString()).isEqualTo("plan");
        JsonNode function = message.get("tool_calls").get(0).get("function");
        assertThat(function.get("name").asString()).isEqualTo("get_weather");
        assertThat(function.get("arguments").isObject()).isTrue();
        assertThat(function.get("arguments").get("city").asString()).isEqualTo("Paris");
    }

    @Test
    void fiveClientsAreAnsweredInOrderAndTheNextIsToldTheServerIsBusy() throws Exception {
        String blocker = this.rpc.startBlocker("BLOCKER");
        List<ApiClient.Lines> clients = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            clients.add(stream("/api/chat", chat("CLIENT" + i + " [[sim:prefill_ms=0]][[sim:delay_us=3000]]"
                    + "[[sim:new_tokens=10]]")));
            int queued = i;
            await().atMost(WAIT).until(() -> this.rpc.status().get("queued").asInt() == queued);
        }

        ApiClient.Answer refused = this.api.post("/api/chat", chat("SIXTH"));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.json().get("error").asString()).startsWith(OllamaErrors.BUSY);

        this.rpc.result("rkllm_abort", Map.of("session_id", blocker));
        List<Long> finished = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Streamed streamed = read(clients.get(i - 1));
            finished.add(System.nanoTime());
            assertThat(streamed.content()).isEqualTo("CLIENT" + i + " A river starts small. Rain gathers in the hills");
        }
        assertThat(finished).isSorted();
    }

    @Test
    void theLastTokenIsNeverLostAtTheSimulatorsPace() throws Exception {
        String expected = generated("RUN0 [[sim:new_tokens=10]]");
        for (int i = 1; i <= 20; i++) {
            Streamed streamed = read(stream("/api/chat", chat("RUN" + i + " [[sim:new_tokens=10]]")));
            assertThat(streamed.content()).isEqualTo(expected.replace("RUN0", "RUN" + i));
            assertThat(streamed.last().get("done").asBoolean()).isTrue();
        }
    }

    @Test
    void aClientThatGoesAwayMidStreamAbortsItsRun() throws Exception {
        ApiClient.Lines client = stream("/api/generate", Map.of("model", "tiny-sim", "prompt",
                "GONE [[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=100000]]", "options",
                Map.of("num_predict", 100_000)));
        for (int i = 0; i < 5; i++) {
            client.next(WAIT);
        }
        String sessionList = this.api.get("/actuator/streams").body();
        assertThat(sessionList).contains("\"transport\":\"ollama\"");

        closeAndAwaitAbort(client);
    }

    @Test
    void aClientThatGoesAwayBeforeItsAnswerOpensAbortsItsRun() throws Exception {
        goAwayDuringPrefill("/api/chat", chat("HELD [[sim:prefill_ms=1500]][[sim:delay_us=2000]][[sim:tokens=100000]]",
                "options", Map.of("num_predict", 100_000)));
    }

    @Test
    void badRequestsGetOllamasErrorShapeAndStatus() {
        assertError(this.api.post("/api/chat", Map.of("messages", List.of())), 400, "model");
        assertError(this.api.post("/api/chat", chat("hi", "messages", "hello")), 400, "messages");
        assertError(this.api.post("/api/chat", chat("hi", "options", Map.of("temperature", "hot"))), 400,
                "temperature");
        assertError(this.api.post("/api/chat", chat("hi", "model", "llama3:8b")), 404, "llama3:8b");
        assertError(this.api.post("/api/generate", "[1, 2]"), 400, "JSON object");
        assertError(this.api.post("/api/chat", chat("x".repeat(1_100_000))), 413, "max-request-bytes");
    }

    private static void assertError(ApiClient.Answer answer, int status, String mentioned) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        JsonNode body = answer.json();
        assertThat(body.size()).as("only the error: %s", body).isEqualTo(1);
        assertThat(body.get("error").asString()).contains(mentioned);
    }

}
