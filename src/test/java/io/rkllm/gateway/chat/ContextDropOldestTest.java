package io.rkllm.gateway.chat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code rkllm.chat.context-overflow: drop-oldest}, a conversation longer than the context (300 tokens) is run
 * again without its oldest turns until it fits, the system message kept; one whose last question alone is too long
 * is still refused.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.model.max-context-len=300", "rkllm.chat.context-overflow=drop-oldest" })
class ContextDropOldestTest extends LiveApiTest {

    private static final List<Map<String, Object>> CONVERSATION = List.of(Map.of("role", "system", "content", "BRIEF"),
            Map.of("role", "user", "content", "OLD1 " + words(300)), Map.of("role", "assistant", "content", "A1"),
            Map.of("role", "user", "content", "OLD2 " + words(20)), Map.of("role", "assistant", "content", "A2"),
            Map.of("role", "user", "content", "LAST" + FAST + "[[sim:new_tokens=0]]"));

    /** {@code n} distinct words, a token each: text the repetition guard leaves alone. */
    private static String words(int n) {
        return IntStream.range(0, n).mapToObj((i) -> "w" + i).collect(Collectors.joining(" "));
    }

    @Test
    void theOldestTurnIsDroppedUntilTheConversationFitsOnBothApis() throws Exception {
        JsonNode whole = this.api.post("/api/chat", Map.of("model", "tiny-sim", "messages", CONVERSATION, "stream",
                false)).json();
        assertKeptTheLatestTurns(whole.get("message").get("content").asString());

        ApiClient.Lines lines = stream("/v1/chat/completions", Map.of("model", "tiny-sim", "messages", CONVERSATION,
                "stream", true));
        assertThat(lines.status()).isEqualTo(200);
        StringBuilder content = new StringBuilder();
        for (String line : lines.rest(WAIT)) {
            if (line.startsWith("data: {")) {
                JsonNode delta = JsonMapper.shared().readTree(line.substring(6)).get("choices").get(0).get("delta");
                if (delta.has("content") && !delta.get("content").isNull()) {
                    content.append(delta.get("content").asString());
                }
            }
        }
        assertKeptTheLatestTurns(content.toString());
    }

    @Test
    void aLastQuestionLongerThanTheContextIsStillRefused() {
        ApiClient.Answer answer = this.api.post("/v1/chat/completions", Map.of("model", "tiny-sim", "messages",
                List.of(CONVERSATION.get(0), CONVERSATION.get(1), CONVERSATION.get(2),
                        Map.of("role", "user", "content", ContextOverflowTest.LONG + FAST)),
                "stream", true));

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.json().get("error").get("code").asString()).isEqualTo("context_length_exceeded");
    }

    private static void assertKeptTheLatestTurns(String echo) {
        assertThat(echo).startsWith("system: BRIEF\n\nuser: OLD2").doesNotContain("OLD1").endsWith("user: LAST");
    }

}
