package io.rkllm.gateway.chat;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One message of a conversation, as both APIs send it.
 *
 * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content the text (empty when there is none, e.g. an assistant message of tool calls only)
 * @param toolCalls the calls of an assistant message
 * @param toolCallId which call a {@code tool} message answers
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, @Nullable String toolCallId) {

    public ChatMessage {
        toolCalls = List.copyOf(toolCalls);
    }

    public static ChatMessage of(String role, String content) {
        return new ChatMessage(role, content, List.of(), null);
    }

    public boolean isAssistant() {
        return "assistant".equals(this.role);
    }

}
