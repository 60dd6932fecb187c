package io.rkllm.gateway.openai;

import java.util.List;
import java.util.stream.Collectors;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.models.Model;
import io.rkllm.gateway.chat.LiveApiTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** OpenAI's own Java client, unmodified, against the service on a real port: the base URL the README gives. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class OfficialOpenAiClientTest extends LiveApiTest {

    private static final FunctionDefinition WEATHER = FunctionDefinition.builder()
        .name("get_weather")
        .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object")).build())
        .build();

    private OpenAIClient client;

    @BeforeEach
    void connect() {
        this.client = OpenAIOkHttpClient.builder()
            .baseUrl("http://localhost:" + this.port + "/v1")
            .apiKey("unused")
            .maxRetries(0)
            .build();
    }

    private static ChatCompletionCreateParams.Builder ask(String prompt) {
        return ChatCompletionCreateParams.builder().model("tiny-sim").addUserMessage(prompt);
    }

    @Test
    void listsTheModel() {
        List<String> ids = this.client.models().list().data().stream().map(Model::id).toList();

        assertThat(ids).containsExactly("tiny-sim");
    }

    @Test
    void nonStreamedChat() {
        ChatCompletion completion = this.client.chat().completions().create(ask("Hello " + FAST
                + "[[sim:new_tokens=3]]").build());

        assertThat(completion.choices().get(0).message().content()).hasValue("Hello A river starts");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage()).isPresent();
    }

    @Test
    void streamedChat() {
        String text;
        try (StreamResponse<ChatCompletionChunk> stream = this.client.chat().completions().createStreaming(
                ask("Streamed " + FAST + "[[sim:new_tokens=3]]").build())) {
            text = stream.stream()
                .flatMap((chunk) -> chunk.choices().stream())
                .map((choice) -> choice.delta().content().orElse(""))
                .collect(Collectors.joining());
        }

        assertThat(text).isEqualTo("Streamed A river starts");
    }

    @Test
    void aToolCallComesBackAsToolCalls() {
        ChatCompletion completion = this.client.chat().completions().create(ask("<tool_call>{\"name\": "
                + "\"get_weather\", \"arguments\": {\"city\": \"Paris\"}}</tool_call>" + FAST + "[[sim:new_tokens=0]]")
            .addFunctionTool(WEATHER)
            .build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).startsWith("call_");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(choice.message().content()).isEmpty();
    }

    @Test
    void aNamedFunctionIsCalledAndARequiredCallThatNeverComesFailsTheRun() {
        FunctionDefinition time = FunctionDefinition.builder().name("get_time").build();

        ChatCompletion completion = this.client.chat().completions().create(ask("<tool_call>{\"name\": "
                + "\"get_weather\", \"arguments\": {}}</tool_call>" + FAST + "[[sim:new_tokens=0]]")
            .addFunctionTool(WEATHER)
            .addFunctionTool(time)
            .toolChoice(ChatCompletionNamedToolChoice.builder()
                .function(ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build())
                .build())
            .build());
        assertThat(completion.choices().get(0).finishReason())
            .isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(completion.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction().function()
            .name()).isEqualTo("get_weather");

        ChatCompletionCreateParams noCall = ask("Just text " + FAST + "[[sim:new_tokens=0]]").addFunctionTool(WEATHER)
            .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
            .build();
        assertThatThrownBy(() -> this.client.chat().completions().create(noCall))
            .isInstanceOfSatisfying(InternalServerException.class, (ex) -> assertThat(ex.getMessage())
                .contains("without calling a tool"));

        ChatCompletionCreateParams unknown = ask("hi").addFunctionTool(WEATHER)
            .toolChoice(ChatCompletionNamedToolChoice.builder()
                .function(ChatCompletionNamedToolChoice.Function.builder().name("get_stock").build())
                .build())
            .build();
        assertThatThrownBy(() -> this.client.chat().completions().create(unknown))
            .isInstanceOfSatisfying(BadRequestException.class, (ex) -> assertThat(ex.getMessage())
                .contains("tool_choice"));
    }

    @Test
    void stopEndsTheAnswerBeforeTheStopText() {
        ChatCompletion completion = this.client.chat().completions().create(ask("red green blue " + FAST)
            .stop(" blue")
            .build());

        assertThat(completion.choices().get(0).message().content()).hasValue("red green");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }

}
