package io.rkllm.gateway.chat;

import java.util.ArrayList;
import java.util.List;

import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.chat.ChatEvent.Reasoning;
import io.rkllm.gateway.chat.ChatEvent.Text;
import io.rkllm.gateway.chat.ChatEvent.ToolCalled;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A whole answer gathered from a run's events: for the APIs' non-streamed replies, and for the conversation key. */
public final class ChatAnswer {

    private final StringBuilder text = new StringBuilder();

    private final StringBuilder reasoning = new StringBuilder();

    private final List<ToolCall> toolCalls = new ArrayList<>();

    private @Nullable Done done;

    /** The answer once the events are over. */
    public static Mono<ChatAnswer> of(Flux<ChatEvent> events) {
        return events.collect(ChatAnswer::new, ChatAnswer::add);
    }

    void add(ChatEvent event) {
        // Queue positions are not part of the answer.
        if (event instanceof Text piece) {
            this.text.append(piece.delta());
        }
        else if (event instanceof Reasoning piece) {
            this.reasoning.append(piece.delta());
        }
        else if (event instanceof ToolCalled called) {
            this.toolCalls.add(called.call());
        }
        else if (event instanceof Done end) {
            this.done = end;
        }
    }

    public String text() {
        return this.text.toString();
    }

    public String reasoning() {
        return this.reasoning.toString();
    }

    public List<ToolCall> toolCalls() {
        return List.copyOf(this.toolCalls);
    }

    /** How the run ended; present once the events completed. */
    public Done done() {
        if (this.done == null) {
            throw new IllegalStateException("the run's events ended without their last one");
        }
        return this.done;
    }

    /** The answer as the assistant message a client sends back with its next turn. */
    ChatMessage asMessage() {
        return new ChatMessage("assistant", text(), this.toolCalls, null);
    }

}
