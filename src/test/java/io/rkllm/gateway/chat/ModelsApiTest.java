package io.rkllm.gateway.chat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import io.rkllm.gateway.Command;
import io.rkllm.gateway.models.SimModelFiles;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The OpenAI- and Ollama-compatible APIs over a model directory of two simulator models with corpora of their own, both
 * resident at once: {@code alpha} (the default, the runtime's own template) and {@code beta} (a sidecar with an alias,
 * a chat template and a system prompt). The simulator echoes what it was given to prefill, then writes its corpus.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "rkllm.models.max-resident=2")
class ModelsApiTest extends LiveApiTest {

    private static final Path DIR = modelDir();

    private static final String BETA_TEMPLATE = "{% for m in messages %}<{{ m.role }}>{{ m.content }}\n{% endfor %}"
            + "{% if add_generation_prompt %}<assistant>{% endif %}";

    private static final String SHORT = FAST + "[[sim:new_tokens=3]]";

    @DynamicPropertySource
    static void models(DynamicPropertyRegistry registry) {
        registry.add("rkllm.model-dir", DIR::toString);
        registry.add("rkllm.model.model-path", () -> DIR.resolve("alpha.rkllm").toString());
    }

    private static Path modelDir() {
        Path dir = SimModelFiles.directory("rkllm-api-models");
        SimModelFiles.model(dir, "alpha", "Alpine meadows glow");
        SimModelFiles.model(dir, "beta", "Baltic harbours hum");
        SimModelFiles.write(dir, "beta.yaml", "aliases: [b]\nsystem_prompt: You are Beta.\neos_token: </beta>\n"
                + "chat_template: \"" + BETA_TEMPLATE.replace("\n", "\\n") + "\"\n");
        return dir;
    }

    @Test
    void bothApisListEveryModelAndAnswerForEachByIdAliasOrTag() {
        JsonNode models = this.api.get("/v1/models").json().get("data");
        assertThat(models.valueStream().map((model) -> model.get("id").asString())).containsExactly("alpha", "beta");
        assertThat(this.api.get("/v1/models/b").json().get("id").asString()).isEqualTo("beta");
        assertThat(this.api.get("/v1/models/beta:latest").status()).isEqualTo(200);

        JsonNode tags = this.api.get("/api/tags").json().get("models");
        assertThat(tags.valueStream().map((tag) -> tag.get("name").asString()))
            .containsExactly("alpha:latest", "beta:latest");
        assertThat(tags.get(0).get("digest").asString()).hasSize(64).isNotEqualTo(tags.get(1).get("digest").asString());
        assertThat(tags.valueStream().map((tag) -> tag.get("size").asLong())).allMatch((size) -> size > 0);

        JsonNode beta = this.api.post("/api/show", Map.of("model", "beta:latest")).json();
        assertThat(beta.get("template").asString()).isEqualTo(BETA_TEMPLATE);
        assertThat(beta.get("model_info").get("general.basename").asString()).isEqualTo("beta");
        assertThat(beta.get("parameters").asString()).contains("stop \"</beta>\"");
        assertThat(this.api.post("/api/show", Map.of("name", "alpha")).json().get("template").asString()).isEmpty();
    }

    @Test
    void eachRequestGetsTheTextOfTheModelItNamesOnEitherApi() {
        assertThat(openAi("alpha", "One " + SHORT)).isEqualTo("One Alpine meadows glow");
        assertThat(openAi("beta", "Two " + SHORT)).endsWith("Baltic harbours hum");
        assertThat(openAi("b", "Three " + SHORT)).as("an alias").endsWith("Baltic harbours hum");
        JsonNode chat = this.api.post("/api/chat", chatBody("beta:latest", "Four " + SHORT, "stream", false)).json();
        assertThat(chat.get("message").get("content").asString()).endsWith("Baltic harbours hum");
        assertThat(chat.get("model").asString()).isEqualTo("beta:latest");
        JsonNode generated = this.api.post("/api/generate", Map.of("model", "alpha", "prompt", "Five " + SHORT,
                "stream", false)).json();
        assertThat(generated.get("response").asString()).isEqualTo("Five Alpine meadows glow");
    }

    @Test
    void eachModelRendersWithItsOwnTemplateAndSystemPrompt() {
        assertThat(openAi("beta", "Hi " + SHORT)).isEqualTo("<system>You are Beta.\n<user>Hi \n<assistant>"
                + "Baltic harbours hum");
        assertThat(openAi("alpha", "Hi " + SHORT)).as("the runtime's own template, no system prompt")
            .isEqualTo("Hi Alpine meadows glow");
    }

    @Test
    void unknownModelsGetEachApisOwnError() {
        ApiClient.Answer openAi = this.api.post("/v1/chat/completions", chatBody("gamma", "x"));
        assertThat(openAi.status()).isEqualTo(404);
        assertThat(openAi.json().get("error").get("code").asString()).isEqualTo("model_not_found");
        assertThat(openAi.json().get("error").get("message").asString()).contains("gamma");
        assertThat(this.api.get("/v1/models/gamma").status()).isEqualTo(404);

        for (String path : List.of("/api/chat", "/api/generate", "/api/show")) {
            ApiClient.Answer ollama = this.api.post(path, Map.of("model", "gamma", "prompt", "x", "messages",
                    List.of(Map.of("role", "user", "content", "x"))));
            assertThat(ollama.status()).as(path).isEqualTo(404);
            assertThat(ollama.json().get("error").asString()).as(path).contains("gamma");
        }
    }

    @Test
    void keepAliveReachesTheModelAndZeroUnloadsItAsPsShowsWithOrWithoutARun() {
        JsonNode loaded = this.api.post("/api/generate", Map.of("model", "beta", "prompt", "", "keep_alive", "10m"))
            .json();
        assertThat(loaded.get("done_reason").asString()).isEqualTo("load");
        JsonNode beta = running("beta:latest");
        assertThat(beta).isNotNull();
        assertThat(OffsetDateTime.parse(beta.get("expires_at").asString()))
            .isCloseTo(OffsetDateTime.now().plusMinutes(10), within(Duration.ofMinutes(1)));

        JsonNode unloaded = this.api.post("/api/generate", Map.of("model", "beta:latest", "prompt", "",
                "keep_alive", 0)).json();
        assertThat(unloaded.get("done_reason").asString()).isEqualTo("unload");
        assertThat(running("beta:latest")).as("unloaded, as the model was idle").isNull();
        assertThat(running("alpha:latest")).isNotNull();
        assertThat(this.models.status("beta").state().wireName()).isEqualTo("unloaded");

        assertThat(openAi("beta", "Again " + SHORT)).as("loaded again on demand").endsWith("Baltic harbours hum");
        assertThat(running("beta:latest")).isNotNull();

        JsonNode last = this.api.post("/api/chat", chatBody("beta", "Last " + SHORT, "stream", false, "keep_alive",
                "0s")).json();
        assertThat(last.get("message").get("content").asString()).endsWith("Baltic harbours hum");
        await("unloaded after the run that asked for it").atMost(WAIT).until(() -> running("beta:latest") == null);
    }

    @Test
    void eachModelKeepsItsOwnConversationInItsOwnCache() {
        List<Map<String, Object>> alpha = new ArrayList<>();
        List<Map<String, Object>> beta = new ArrayList<>();
        say("alpha", alpha, "FIRST alpha");
        say("beta", beta, "FIRST beta");

        assertThat(say("alpha", alpha, "SECOND alpha")).as("alpha's cache still holds its turn")
            .startsWith("SECOND alpha").doesNotContain("FIRST");
        assertThat(say("beta", beta, "SECOND beta")).as("beta continues its own conversation")
            .startsWith("\n<user>SECOND beta").doesNotContain("FIRST");

        this.api.post("/api/generate", Map.of("model", "alpha", "prompt", "", "keep_alive", 0));
        assertThat(say("alpha", alpha, "THIRD alpha")).as("a reloaded model holds nothing: rendered anew")
            .startsWith("user: FIRST alpha").contains("user: THIRD alpha");
    }

    @Test
    void theOfficialOpenAiJavaClientListsBothModelsAndPicksEachById() {
        OpenAIClient client = OpenAIOkHttpClient.builder()
            .baseUrl("http://localhost:" + this.port + "/v1")
            .apiKey("unused")
            .maxRetries(0)
            .build();

        assertThat(client.models().list().data().stream().map(Model::id)).containsExactly("alpha", "beta");
        for (String id : List.of("alpha", "beta")) {
            String text = client.chat().completions().create(ChatCompletionCreateParams.builder().model(id)
                .addUserMessage("Java " + SHORT).build()).choices().get(0).message().content().orElseThrow();
            assertThat(text).endsWith(id.equals("alpha") ? "Alpine meadows glow" : "Baltic harbours hum");
        }
        assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> client.chat().completions()
            .create(ChatCompletionCreateParams.builder().model("gamma").addUserMessage("x").build()));
    }

    @Test
    void theOfficialOllamaNpmClientListsBothModelsAndChatsWithEach() throws IOException {
        Command.Result result = CompatCheck.node("ollama-models.mjs", "http://localhost:" + this.port);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("ollama npm client").contains("ok");
    }

    /** Adds a user turn to a conversation with a model, sends all of it, adds the answer, and returns the answer. */
    private String say(String model, List<Map<String, Object>> messages, String text) {
        messages.add(Map.of("role", "user", "content", text + FAST + "[[sim:new_tokens=2]]"));
        String answer = this.api.post("/v1/chat/completions", Map.of("model", model, "messages", messages)).json()
            .get("choices").get(0).get("message").get("content").asString();
        messages.add(Map.of("role", "assistant", "content", answer));
        return answer;
    }

    private String openAi(String model, String content) {
        ApiClient.Answer answer = this.api.post("/v1/chat/completions", chatBody(model, content));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().get("choices").get(0).get("message").get("content").asString();
    }

    /** The {@code /api/ps} entry of a model, or null when it is not loaded. */
    private JsonNode running(String name) {
        return this.api.get("/api/ps").json().get("models").valueStream()
            .filter((model) -> model.get("name").asString().equals(name))
            .findFirst()
            .orElse(null);
    }

}
