package io.rkllm.gateway.chat;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which turn goes first when a conversation must shrink to fit the context. */
class ContextWindowTest {

    private static ChatRequest conversation(ChatMessage... messages) {
        return new ChatRequest(List.of(messages), List.of(), false, null, List.of(), null, List.of());
    }

    private static List<String> contents(ChatRequest request) {
        return request.messages().stream().map(ChatMessage::content).toList();
    }

    @Test
    void dropsTheOldestQuestionWithAllThatAnsweredItKeepingTheSystemMessages() {
        ChatMessage call = new ChatMessage("assistant", "", List.of(new ToolCall("c1", "f", "{}")), null);
        ChatRequest request = conversation(ChatMessage.of("system", "S"), ChatMessage.of("user", "U1"), call,
                new ChatMessage("tool", "R1", List.of(), "c1"), ChatMessage.of("assistant", "A1"),
                ChatMessage.of("user", "U2"), ChatMessage.of("assistant", "A2"), ChatMessage.of("user", "U3"));

        ChatRequest shorter = ContextWindow.withoutOldestTurn(request);
        assertThat(contents(shorter)).containsExactly("S", "U2", "A2", "U3");
        ChatRequest shortest = ContextWindow.withoutOldestTurn(shorter);
        assertThat(contents(shortest)).containsExactly("S", "U3");
        assertThat(ContextWindow.withoutOldestTurn(shortest)).isNull();
    }

    @Test
    void theLastQuestionStaysWithTheToolRoundThatFollowsIt() {
        ChatMessage call = new ChatMessage("assistant", "", List.of(new ToolCall("c1", "f", "{}")), null);
        ChatRequest request = conversation(ChatMessage.of("user", "U1"), ChatMessage.of("assistant", "A1"),
                ChatMessage.of("user", "U2"), call, new ChatMessage("tool", "R", List.of(), "c1"));

        ChatRequest shorter = ContextWindow.withoutOldestTurn(request);
        assertThat(contents(shorter)).containsExactly("U2", "", "R");
        assertThat(ContextWindow.withoutOldestTurn(shorter)).isNull();
    }

}
