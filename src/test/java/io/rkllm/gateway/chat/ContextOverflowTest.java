package io.rkllm.gateway.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A conversation longer than the context (300 tokens here), which the simulator refuses before prefill as the runtime
 * does: each API's own 400 before any token, streamed or not; a short run that fails before its first token is not
 * taken for one; and the refused run leaves no conversation believed cached.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "rkllm.model.max-context-len=300")
class ContextOverflowTest extends LiveApiTest {

    /** 400 tokens of the simulator's tokenizer (" w" is one), 800 bytes. */
    static final String LONG = "w ".repeat(400);

    @Test
    void openAiAnswers400ContextLengthExceededStreamedOrNot() {
        for (boolean streamed : List.of(false, true)) {
            ApiClient.Answer answer = this.api.post("/v1/chat/completions",
                    chatBody("tiny-sim", LONG + FAST, "stream", streamed));

            assertThat(answer.status()).as(answer.body()).isEqualTo(400);
            assertThat(answer.contentType()).startsWith("application/json");
            JsonNode error = answer.json().get("error");
            assertThat(error.get("code").asString()).isEqualTo("context_length_exceeded");
            assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
            assertThat(error.get("param").asString()).isEqualTo("messages");
            assertThat(error.get("message").asString()).contains("context of 300 tokens");
        }
    }

    @Test
    void ollamaAnswers400WithItsErrorShapeStreamedOrNot() {
        for (String path : List.of("/api/chat", "/api/generate")) {
            for (boolean streamed : List.of(false, true)) {
                Map<String, Object> body = path.equals("/api/chat") ? chatBody("tiny-sim", LONG + FAST)
                        : new LinkedHashMap<>(Map.of("model", "tiny-sim", "prompt", LONG + FAST));
                body.put("stream", streamed);
                ApiClient.Answer answer = this.api.post(path, body);

                assertThat(answer.status()).as(path + " " + answer.body()).isEqualTo(400);
                assertThat(answer.json().size()).isEqualTo(1);
                assertThat(answer.json().get("error").asString()).contains("does not fit the model's context");
            }
        }
    }

    @Test
    void aShortRunThatFailsBeforeItsFirstTokenIsNotAContextOverflow() {
        ApiClient.Answer answer = this.api.post("/v1/chat/completions",
                chatBody("tiny-sim", "short[[sim:error_at=0]]", "stream", true));

        assertThat(answer.status()).as(answer.body()).isEqualTo(500);
        assertThat(answer.json().get("error").get("code").isNull()).isTrue();
        assertThat(answer.json().get("error").get("type").asString()).isEqualTo("server_error");
    }

    @Test
    void aRefusedTurnLeavesNoConversationBelievedCached() {
        List<Map<String, Object>> messages = new ArrayList<>();
        messages.add(Map.of("role", "user", "content", "FIRST" + FAST + "[[sim:new_tokens=1]]"));
        JsonNode first = this.api.post("/api/chat", Map.of("model", "tiny-sim", "messages", messages, "stream",
                false)).json().get("message");
        messages.add(Map.of("role", "assistant", "content", first.get("content").asString()));

        messages.add(Map.of("role", "user", "content", LONG + FAST));
        assertThat(this.api.post("/api/chat", Map.of("model", "tiny-sim", "messages", messages, "stream", false))
            .status()).isEqualTo(400);

        messages.set(2, Map.of("role", "user", "content", "SECOND" + FAST + "[[sim:new_tokens=0]]"));
        String second = this.api.post("/api/chat", Map.of("model", "tiny-sim", "messages", messages, "stream",
                false)).json().get("message").get("content").asString();
        assertThat(second).as("the conversation rendered anew, not continued").startsWith("user: FIRST")
            .endsWith("user: SECOND");
    }

}
