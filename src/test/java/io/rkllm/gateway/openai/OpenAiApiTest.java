package io.rkllm.gateway.openai;

import java.time.Duration;
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

/**
 * The OpenAI-compatible API over a real port on the simulator: shapes, streaming, stop texts, the queue, errors, and
 * the disconnect rule.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "rkllm.queue.capacity=5")
class OpenAiApiTest extends LiveApiTest {

    private static Map<String, Object> chat(String content, Object... more) {
        return chatBody("tiny-sim", content, more);
    }

    private ApiClient.Lines stream(Map<String, Object> body) {
        return stream("/v1/chat/completions", body);
    }

    /** The content of a streamed answer's data events, up to [DONE]; the last data event (before [DONE]) too. */
    private static Streamed read(ApiClient.Lines lines) throws InterruptedException {
        StringBuilder content = new StringBuilder();
        List<JsonNode> events = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        for (String line = lines.next(WAIT); line != null; line = lines.next(WAIT)) {
            if (line.startsWith(":")) {
                comments.add(line);
                continue;
            }
            assertThat(line).startsWith("data: ");
            String data = line.substring(6);
            if (data.equals("[DONE]")) {
                assertThat(lines.next(WAIT)).as("nothing after [DONE]").isNull();
                return new Streamed(content.toString(), events, comments);
            }
            JsonNode event = JsonMapper.shared().readTree(data);
            events.add(event);
            JsonNode choices = event.get("choices");
            if (choices != null && !choices.isEmpty()) {
                JsonNode text = choices.get(0).get("delta").get("content");
                if (text != null && !text.isNull()) {
                    content.append(text.asString());
                }
            }
        }
        throw new AssertionError("the stream ended without data: [DONE]");
    }

    private record Streamed(String content, List<JsonNode> events, List<String> comments) {

        String finishReason() {
            for (JsonNode event : this.events) {
                JsonNode choices = event.get("choices");
                if (choices != null && !choices.isEmpty() && !choices.get(0).get("finish_reason").isNull()) {
                    return choices.get(0).get("finish_reason").asString();
                }
            }
            return null;
        }

    }

    @Test
    void listsTheServedModelAndAnswers404ForAnother() {
        JsonNode models = this.api.get("/v1/models").json();
        assertThat(models.get("object").asString()).isEqualTo("list");
        assertThat(models.get("data")).hasSize(1);
        assertThat(models.get("data").get(0).get("id").asString()).isEqualTo("tiny-sim");
        assertThat(models.get("data").get(0).get("object").asString()).isEqualTo("model");

        assertThat(this.api.get("/v1/models/tiny-sim").json().get("id").asString()).isEqualTo("tiny-sim");

        ApiClient.Answer missing = this.api.get("/v1/models/gpt-4");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").get("code").asString()).isEqualTo("model_not_found");
    }

    @Test
    void answersAChatWholeWithUsageAndRecordsTheSessionAsOpenAi() {
        ApiClient.Answer answer = this.api.post("/v1/chat/completions", chat("WHOLE answer " + FAST
                + "[[sim:new_tokens=4]]"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.ignored()).as("runtime 1.3 takes everything per run").isNull();
        JsonNode completion = answer.json();
        assertThat(completion.get("object").asString()).isEqualTo("chat.completion");
        JsonNode choice = completion.get("choices").get(0);
        assertThat(choice.get("message").get("role").asString()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").asString()).isEqualTo("WHOLE answer A river starts small");
        assertThat(choice.get("finish_reason").asString()).isEqualTo("stop");
        assertThat(completion.get("usage").get("completion_tokens").asInt()).isEqualTo(7);
        assertThat(completion.get("usage").get("total_tokens").asInt())
            .isEqualTo(completion.get("usage").get("prompt_tokens").asInt() + 7);
        String sessionId = completion.get("id").asString().substring("chatcmpl-".length());
        assertThat(this.rpc.listedSession(sessionId).get("transport").asString()).isEqualTo("openai");
    }

    @Test
    void streamsRoleFirstThenTextThenFinishThenUsageThenDone() throws Exception {
        Streamed streamed = read(stream(chat("STREAMED " + FAST + "[[sim:new_tokens=3]]", "stream", true,
                "stream_options", Map.of("include_usage", true))));

        JsonNode first = streamed.events().get(0);
        assertThat(first.get("object").asString()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("choices").get(0).get("delta").get("role").asString()).isEqualTo("assistant");
        assertThat(streamed.content()).isEqualTo("STREAMED A river starts");
        assertThat(streamed.finishReason()).isEqualTo("stop");
        JsonNode last = streamed.events().get(streamed.events().size() - 1);
        assertThat(last.get("choices")).isEmpty();
        assertThat(last.get("usage").get("completion_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void stopTextSpanningTokensEndsTheAnswerUnshownStreamedOrNot() throws Exception {
        Map<String, Object> body = chat("alpha beta gamma delta " + FAST + "[[sim:new_tokens=20]]", "stop",
                List.of("ta gam", "never"));

        JsonNode whole = this.api.post("/v1/chat/completions", body).json().get("choices").get(0);
        assertThat(whole.get("message").get("content").asString()).isEqualTo("alpha be");
        assertThat(whole.get("finish_reason").asString()).isEqualTo("stop");

        body.put("stream", true);
        Streamed streamed = read(stream(body));
        assertThat(streamed.content()).isEqualTo("alpha be");
        assertThat(streamed.finishReason()).isEqualTo("stop");
    }

    @Test
    void maxTokensEndsTheAnswerWithLength() {
        JsonNode choice = this.api.post("/v1/chat/completions", chat("one two three four five " + FAST,
                "max_tokens", 3)).json().get("choices").get(0);

        assertThat(choice.get("message").get("content").asString()).isEqualTo("one two three");
        assertThat(choice.get("finish_reason").asString()).isEqualTo("length");
    }

    @Test
    void textCompletionsStreamedAndWhole() throws Exception {
        JsonNode whole = this.api.post("/v1/completions", Map.of("model", "tiny-sim", "prompt",
                "Once " + FAST + "[[sim:new_tokens=2]]")).json();
        assertThat(whole.get("object").asString()).isEqualTo("text_completion");
        assertThat(whole.get("choices").get(0).get("text").asString()).isEqualTo("Once A river");

        ApiClient.Lines lines = stream("/v1/completions", Map.of("model", "tiny-sim", "prompt",
                List.of("Twice " + FAST + "[[sim:new_tokens=2]]"), "stream", true));
        StringBuilder text = new StringBuilder();
        for (String line : lines.rest(WAIT)) {
            if (!line.equals("data: [DONE]")) {
                text.append(JsonMapper.shared().readTree(line.substring(6)).get("choices").get(0).get("text")
                    .asString());
            }
        }
        assertThat(text.toString()).isEqualTo("Twice A river");
    }

    @Test
    void fiveClientsAreAnsweredInOrderWhileWaitingAndTheNextGets429() throws Exception {
        String blocker = this.rpc.startBlocker("BLOCKER");
        List<ApiClient.Lines> clients = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ApiClient.Lines client = stream(chat("CLIENT" + i + " [[sim:prefill_ms=0]][[sim:delay_us=3000]]"
                    + "[[sim:new_tokens=10]]", "stream", true));
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.next(WAIT)).as("role first").contains("\"role\":\"assistant\"");
            assertThat(client.next(WAIT)).isEqualTo(": queued " + i);
            clients.add(client);
        }

        ApiClient.Answer refused = this.api.post("/v1/chat/completions", chat("SIXTH"));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.retryAfter()).isEqualTo(OpenAiErrors.RETRY_AFTER_SECONDS);
        assertThat(refused.json().get("error").get("type").asString()).isEqualTo("rate_limit_error");

        this.rpc.result("rkllm_abort", Map.of("session_id", blocker));
        List<Long> finished = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Streamed streamed = read(clients.get(i - 1));
            finished.add(System.nanoTime());
            assertThat(streamed.content()).isEqualTo("CLIENT" + i + " A river starts small. Rain gathers in the hills");
            assertThat(streamed.finishReason()).isEqualTo("stop");
        }
        assertThat(finished).isSorted();
    }

    @Test
    void theLastTokenIsNeverLostAtTheSimulatorsPace() throws Exception {
        String expected = generated("RUN0 [[sim:new_tokens=10]]");
        for (int i = 1; i <= 20; i++) {
            Streamed streamed = read(stream(chat("RUN" + i + " [[sim:new_tokens=10]]", "stream", true)));
            assertThat(streamed.content()).isEqualTo(expected.replace("RUN0", "RUN" + i));
        }
    }

    @Test
    void aClientThatGoesAwayMidStreamAbortsItsRun() throws Exception {
        ApiClient.Lines client = stream(chat("GONE [[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=100000]]",
                "stream", true, "max_tokens", 100_000));
        for (int i = 0; i < 5; i++) {
            client.next(WAIT);
        }

        closeAndAwaitAbort(client);
    }

    @Test
    void aClientThatGoesAwayBeforeItsAnswerOpensAbortsItsRun() throws Exception {
        goAwayDuringPrefill("/v1/chat/completions", chat("HELD [[sim:prefill_ms=1500]][[sim:delay_us=2000]]"
                + "[[sim:tokens=100000]]", "stream", true, "max_tokens", 100_000));
    }

    @Test
    void badRequestsGetOpenAisErrorShapeAndStatus() {
        assertInvalid(this.api.post("/v1/chat/completions", Map.of("model", "tiny-sim")), 400, "messages");
        assertInvalid(this.api.post("/v1/chat/completions", Map.of("messages", "hello")), 400, "messages");
        assertInvalid(this.api.post("/v1/chat/completions", chat("hi", "temperature", "hot")), 400, "temperature");
        assertInvalid(this.api.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("content", "x")))),
                400, "messages[0].role");
        assertInvalid(this.api.post("/v1/chat/completions", "{not json"), 400, "JSON");
        assertInvalid(this.api.post("/v1/chat/completions", chat("hi", "response_format",
                Map.of("type", "json_object"))), 400, "response_format");
        assertInvalid(this.api.post("/v1/chat/completions", chat("hi", "model", "gpt-4o")), 404, "gpt-4o");
        assertInvalid(this.api.post("/v1/chat/completions", chat("x".repeat(1_100_000))), 413, "max-request-bytes");
        List<Map<String, Object>> tools = List.of(Map.of("type", "function", "function", Map.of("name", "f")));
        for (Object choice : List.of("any", Map.of("type", "function"), Map.of("type", "custom", "custom",
                Map.of("name", "f")), Map.of("type", "function", "function", Map.of("name", "g")),
                Map.of("type", "allowed_tools", "allowed_tools", Map.of("mode", "sometimes", "tools", tools)))) {
            assertInvalid(this.api.post("/v1/chat/completions", chat("hi", "tools", tools, "tool_choice", choice)),
                    400, "tool_choice");
        }
        assertInvalid(this.api.post("/v1/chat/completions", chat("hi", "tool_choice", "required")), 400,
                "tool_choice");
        assertThat(this.api.post("/v1/chat/completions", chat("fine " + FAST + "[[sim:new_tokens=0]]",
                "some_future_field", Map.of("a", 1))).status()).as("unknown fields are ignored").isEqualTo(200);
    }

    @Test
    void aRequiredToolCallThatNeverComesEndsTheStreamWithAnError() throws Exception {
        Streamed streamed = read(stream(chat("No call " + FAST + "[[sim:new_tokens=0]]", "stream", true, "tools",
                List.of(Map.of("type", "function", "function", Map.of("name", "f"))), "tool_choice", "required")));

        assertThat(streamed.content()).isEqualTo("No call ");
        JsonNode last = streamed.events().get(streamed.events().size() - 1);
        assertThat(last.get("error").get("type").asString()).isEqualTo("server_error");
        assertThat(last.get("error").get("message").asString()).contains("tool_choice");
    }

    private static void assertInvalid(ApiClient.Answer answer, int status, String mentioned) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        JsonNode error = answer.json().get("error");
        assertThat(error.get("message").asString()).contains(mentioned);
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

}
