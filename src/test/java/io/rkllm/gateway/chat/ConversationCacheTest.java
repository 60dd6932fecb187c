package io.rkllm.gateway.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A conversation sent the way clients send it, the whole history each time, with the runtime's own template: a turn
 * that extends what the KV cache holds is prefilled alone, and anything else (an edited turn, another client's run,
 * a cleared cache) renders the conversation anew. The simulator echoes what it was given to prefill.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ConversationCacheTest extends LiveApiTest {

    private static final String SHORT = FAST + "[[sim:new_tokens=2]]";

    private final List<Map<String, Object>> messages = new ArrayList<>();

    /** Sends the conversation with one more user turn, adds the answer to it, and returns the answer. */
    private Turn say(String text) {
        this.messages.add(Map.of("role", "user", "content", text + SHORT));
        JsonNode completion = this.api.post("/v1/chat/completions", Map.of("model", "tiny-sim", "messages",
                this.messages)).json();
        String answer = completion.get("choices").get(0).get("message").get("content").asString();
        this.messages.add(Map.of("role", "assistant", "content", answer));
        JsonNode usage = completion.get("usage");
        return new Turn(answer, usage.get("prompt_tokens").asInt(), usage.get("completion_tokens").asInt(),
                kvCacheSize());
    }

    private int kvCacheSize() {
        return this.rpc.result("rkllm_get_kv_cache_size").get("sizes").get(0).asInt();
    }

    private record Turn(String echo, int prefilled, int generated, int kvCache) {
    }

    @Test
    void eachNewTurnIsPrefilledOnceAndTheCacheGrowsByItAlone() {
        Turn first = say("FIRST question");
        Turn second = say("SECOND question");
        Turn third = say("THIRD question");

        assertThat(first.echo()).startsWith("FIRST question");
        assertThat(first.kvCache()).isEqualTo(first.prefilled() + first.generated());
        assertThat(second.echo()).startsWith("SECOND question").doesNotContain("FIRST");
        assertThat(second.kvCache()).isEqualTo(first.kvCache() + second.prefilled() + second.generated());
        assertThat(third.echo()).startsWith("THIRD question").doesNotContain("FIRST").doesNotContain("SECOND");
        assertThat(third.kvCache()).isEqualTo(second.kvCache() + third.prefilled() + third.generated());
    }

    @Test
    void aConversationThatEditsAnEarlierTurnIsRenderedAnew() {
        say("FIRST question");
        say("SECOND question");
        this.messages.set(0, Map.of("role", "user", "content", "EDITED question" + SHORT));

        Turn after = say("THIRD question");

        assertThat(after.echo()).startsWith("user: EDITED question").contains("assistant: SECOND question")
            .contains("user: THIRD question");
        assertThat(after.kvCache()).as("cleared, then the whole conversation")
            .isEqualTo(after.prefilled() + after.generated());
    }

    @Test
    void anotherClientsRunOrAClearedCacheMakesTheNextTurnRenderAnew() {
        say("FIRST question");
        this.rpc.result("rkllm_run", Map.of("prompt_input", "someone else " + SHORT));

        Turn afterRun = say("SECOND question");
        assertThat(afterRun.echo()).startsWith("user: FIRST question").contains("user: SECOND question");

        this.rpc.result("rkllm_clear_kv_cache", Map.of("keep_system_prompt", false));
        Turn afterClear = say("THIRD question");
        assertThat(afterClear.echo()).startsWith("user: FIRST question").contains("user: THIRD question");
        assertThat(afterClear.kvCache()).isEqualTo(afterClear.prefilled() + afterClear.generated());

        assertThat(say("FOURTH question").echo()).as("continued again").startsWith("FOURTH question");
    }

}
