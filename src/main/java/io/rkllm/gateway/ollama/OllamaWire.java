package io.rkllm.gateway.ollama;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** The response shapes of Ollama's API that this one answers with, field for field as upstream names them. */
final class OllamaWire {

    private OllamaWire() {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Details(String parentModel, String format, String family, List<String> families, String parameterSize,
            String quantizationLevel) {

        static final Details RKLLM = new Details("", "rkllm", "rkllm", List.of("rkllm"), "", "");

    }

    /** An entry of {@code /api/tags}: both {@code name} and {@code model}, as clients read one or the other. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Tag(String name, String model, String modifiedAt, long size, String digest, Details details) {
    }

    record Tags(List<Tag> models) {
    }

    /** An entry of {@code /api/ps}: a model that is loaded. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Running(String name, String model, long size, String digest, Details details, String expiresAt,
            long sizeVram, @Nullable Integer contextLength) {
    }

    record Processes(List<Running> models) {
    }

    record Version(String version) {
    }

    /** {@code /api/show}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Show(String license, String modelfile, String parameters, String template, Details details,
            Map<String, Object> modelInfo, List<String> capabilities, String modifiedAt) {
    }

    /** A message of a chat answer; a tool call's arguments are a JSON object, as upstream sends them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Message(String role, String content, @Nullable String thinking, @Nullable List<ToolCall> toolCalls) {
    }

    record ToolCall(Function function) {
    }

    record Function(String name, Object arguments) {
    }

    /**
     * One line of a chat or generate answer ({@code message} for chat, {@code response} for generate); the last one
     * has {@code done} true, the reason and the counts and durations (nanoseconds).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Reply(String model, String createdAt, @Nullable Message message, @Nullable String response,
            @Nullable String thinking, boolean done, @Nullable String doneReason, @Nullable Long totalDuration,
            @Nullable Long loadDuration, @Nullable Integer promptEvalCount, @Nullable Long promptEvalDuration,
            @Nullable Integer evalCount, @Nullable Long evalDuration) {
    }

    /** {@code {"error":"…"}}. */
    record Error(String error) {
    }

}
