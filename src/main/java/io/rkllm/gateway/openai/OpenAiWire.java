package io.rkllm.gateway.openai;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** The response shapes of OpenAI's API that this one answers with, field for field as upstream names them. */
final class OpenAiWire {

    private OpenAiWire() {
    }

    /** An entry of {@code GET /v1/models}, and the answer of {@code GET /v1/models/{id}}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Model(String id, String object, long created, String ownedBy) {

        static Model of(String id, long created) {
            return new Model(id, "model", created, "rkllm-gateway");
        }

    }

    /** {@code GET /v1/models}. */
    record ModelList(String object, List<Model> data) {
    }

    /** A non-streamed chat answer. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ChatCompletion(String id, String object, long created, String model, List<Choice> choices, Usage usage) {
    }

    /** The one choice of a chat answer. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Choice(int index, Message message, @Nullable Object logprobs, String finishReason) {
    }

    /** The assistant's message: {@code content} is null when it only calls tools, as upstream sends it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Message(String role, @Nullable String content,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String reasoningContent,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ToolCall> toolCalls) {
    }

    /** A tool call; {@code index} only in streamed deltas. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolCall(@Nullable Integer index, String id, String type, Function function) {
    }

    /** A called function: its arguments as a JSON text, as upstream sends them. */
    record Function(String name, String arguments) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Usage(int promptTokens, int completionTokens, int totalTokens) {
    }

    /** One {@code chat.completion.chunk} of a stream; {@code usage} only on the last one, when asked for. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Chunk(String id, String object, long created, String model, List<ChunkChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Usage usage) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ChunkChoice(int index, Delta delta, @Nullable Object logprobs, @Nullable String finishReason) {
    }

    /** What a chunk adds to the message. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Delta(@Nullable String role, @Nullable String content, @Nullable String reasoningContent,
            @Nullable List<ToolCall> toolCalls) {
    }

    /** A {@code text_completion}, whole or one chunk of a stream. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Completion(String id, String object, long created, String model, List<CompletionChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Usage usage) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CompletionChoice(String text, int index, @Nullable Object logprobs, @Nullable String finishReason) {
    }

    /** {@code {"error":{"message","type","param","code"}}}. */
    record ErrorResponse(ErrorBody error) {
    }

    record ErrorBody(String message, String type, @Nullable String param, @Nullable String code) {
    }

}
