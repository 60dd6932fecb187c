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
 * With the model's Hugging Face template configured (a Qwen2.5-style tokenizer_config.json), the gateway renders the
 * conversation, tools included, and the runtime's own template is set empty: the simulator echoes exactly what was
 * rendered. A turn that extends what the KV cache holds goes in alone, after the text that closes the earlier answer.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "rkllm.chat.template-file=src/test/resources/chat/chatml-tokenizer_config.json")
class ChatTemplateConversationTest extends LiveApiTest {

    private static final String SHORT = FAST + "[[sim:new_tokens=1]]";

    private static final Map<String, Object> WEATHER = Map.of("type", "function", "function",
            Map.of("name", "get_weather", "description", "the weather in a city", "parameters",
                    Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")))));

    private final List<Map<String, Object>> messages = new ArrayList<>();

    private JsonNode chat() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", "tiny-sim");
        body.put("messages", this.messages);
        body.put("tools", List.of(WEATHER));
        body.put("stream", false);
        JsonNode message = this.api.post("/api/chat", body).json().get("message");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("role", "assistant");
        answer.put("content", message.get("content").asString());
        if (message.has("tool_calls")) {
            answer.put("tool_calls", message.get("tool_calls"));
        }
        this.messages.add(answer);
        return message;
    }

    private int kvCacheSize() {
        return this.rpc.result("rkllm_get_kv_cache_size").get("sizes").get(0).asInt();
    }

    @Test
    void rendersTheWholeConversationOnceThenEachTurnAfterTheClosingOfTheLastAnswer() {
        this.messages.add(Map.of("role", "system", "content", "Be brief."));
        this.messages.add(Map.of("role", "user", "content", "FIRST" + SHORT));
        String first = chat().get("content").asString();
        assertThat(first).startsWith("<|im_start|>system\nBe brief.\n\n# Tools\n<tools>\n{\"type\":\"function\"")
            .contains("\"name\":\"get_weather\"")
            .contains("</tools><|im_end|>\n<|im_start|>user\nFIRST<|im_end|>\n<|im_start|>assistant\nA");
        int afterFirst = kvCacheSize();

        this.messages.add(Map.of("role", "user", "content", "Weather? <tool_call>{\"name\": \"get_weather\", "
                + "\"arguments\": {\"city\": \"Oslo\"}}</tool_call>" + FAST + "[[sim:new_tokens=0]]"));
        JsonNode second = chat();
        assertThat(second.get("content").asString())
            .isEqualTo("<|im_end|>\n<|im_start|>user\nWeather? <|im_end|>\n<|im_start|>assistant\n");
        assertThat(second.get("tool_calls").get(0).get("function").get("arguments").get("city").asString())
            .isEqualTo("Oslo");
        assertThat(kvCacheSize()).as("grown by the new turn and its answer only").isGreaterThan(afterFirst);

        this.messages.add(Map.of("role", "tool", "content", "{\"temperature\": 3}"));
        String third = chat().get("content").asString();
        assertThat(third).startsWith("<|im_end|>\n<|im_start|>user\n<tool_response>\n{\"temperature\": 3}\n"
                + "</tool_response><|im_end|>\n<|im_start|>assistant\n").doesNotContain("FIRST");
    }

    @Test
    void toolChoiceHandsTheModelTheNamedFunctionAloneOrNoTools() {
        Map<String, Object> time = Map.of("type", "function", "function", Map.of("name", "get_time"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", "tiny-sim");
        body.put("messages", List.of(Map.of("role", "user", "content", "NAMED <tool_call>{\"name\": \"get_time\", "
                + "\"arguments\": {}}</tool_call>" + FAST + "[[sim:new_tokens=0]]")));
        body.put("tools", List.of(WEATHER, time));
        body.put("tool_choice", Map.of("type", "function", "function", Map.of("name", "get_time")));

        JsonNode named = this.api.post("/v1/chat/completions", body).json().get("choices").get(0);
        assertThat(named.get("finish_reason").asString()).isEqualTo("tool_calls");
        assertThat(named.get("message").get("content").asString()).contains("<tools>", "\"name\":\"get_time\"")
            .doesNotContain("get_weather");

        body.put("tool_choice", "none");
        JsonNode none = this.api.post("/v1/chat/completions", body).json().get("choices").get(0);
        assertThat(none.get("message").get("content").asString()).contains("NAMED").doesNotContain("<tools>");
    }

    @Test
    void showAndHealthSayTheTemplateIsConfigured() {
        JsonNode show = this.api.post("/api/show", Map.of("model", "tiny-sim")).json();
        assertThat(show.get("template").asString()).startsWith("{%- if tools %}");
        assertThat(show.get("parameters").asString()).contains("stop \"<|im_end|>\"");
        assertThat(this.api.get("/actuator/health").json().get("components").get("rkllm").get("details")
            .get("chat_template").asString()).startsWith("configured");
    }

}
