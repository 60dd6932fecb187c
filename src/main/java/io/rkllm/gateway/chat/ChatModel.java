package io.rkllm.gateway.chat;

import java.util.ArrayList;
import java.util.List;

import io.rkllm.gateway.models.ModelFile;
import org.jspecify.annotations.Nullable;

/**
 * One model of the catalogue as the chat APIs run it: its chat template (its sidecar's; for the default model else
 * {@code rkllm.chat}'s; else none, and the runtime's own frames each turn), the system prompt its sidecar gives
 * conversations that bring none, and whether it reasons in {@code <think>} blocks.
 */
public final class ChatModel {

    private final ModelFile file;

    private final @Nullable ChatTemplate template;

    private final boolean thinks;

    private final ConversationRenderer renderer;

    ChatModel(ModelFile file, @Nullable ChatTemplate template, boolean thinks) {
        this.file = file;
        this.template = template;
        this.thinks = thinks || (template != null && template.source().contains(OutputParser.THINK_OPEN));
        this.renderer = new ConversationRenderer(template);
    }

    /** The model's id, as requests name it and answers echo it. */
    public String id() {
        return this.file.id();
    }

    /** The catalogue's view of the model when this was made. */
    public ModelFile file() {
        return this.file;
    }

    /** The template that renders its conversations; null when the runtime's own frames each turn. */
    public @Nullable ChatTemplate template() {
        return this.template;
    }

    /** Whether the model reasons in {@code <think>} blocks, as its template or the configuration says. */
    public boolean thinks() {
        return this.thinks;
    }

    ConversationRenderer renderer() {
        return this.renderer;
    }

    /** The request with the sidecar's system prompt first, when it has one and the conversation brings none. */
    ChatRequest withSystemPrompt(ChatRequest request) {
        String prompt = this.file.sidecar().systemPrompt();
        List<ChatMessage> messages = request.messages();
        if (prompt == null || messages.isEmpty() || "system".equals(messages.get(0).role())) {
            return request;
        }
        List<ChatMessage> withPrompt = new ArrayList<>(messages.size() + 1);
        withPrompt.add(ChatMessage.of("system", prompt));
        withPrompt.addAll(messages);
        return new ChatRequest(withPrompt, request.tools(), request.enableThinking(), request.maxTokens(),
                request.stop(), request.sampling(), request.samplingFields());
    }

}
