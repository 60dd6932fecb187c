package io.rkllm.gateway.chat;

import java.util.List;
import java.util.Map;

import io.rkllm.gateway.nativebridge.Sampling;
import org.jspecify.annotations.Nullable;

/**
 * A chat or completion request of either API, in the terms both share.
 *
 * @param messages the whole conversation, the new turn last
 * @param tools function definitions in OpenAI's format ({@code {"type":"function","function":{…}}})
 * @param maxTokens the output limit asked for (null: {@code rkllm.chat.default-max-tokens})
 * @param stop texts that end the output where they appear; never shown
 * @param sampling per-run sampling, where the loaded runtime can carry it
 * @param samplingFields the request's own names of the fields in {@code sampling}, to name them when ignored
 */
public record ChatRequest(List<ChatMessage> messages, List<Map<String, Object>> tools, boolean enableThinking,
        @Nullable Integer maxTokens, List<String> stop, @Nullable Sampling sampling, List<String> samplingFields) {

    public ChatRequest {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        stop = stop.stream().filter((text) -> !text.isEmpty()).toList();
        samplingFields = List.copyOf(samplingFields);
    }

    /** The same request with another conversation. */
    public ChatRequest withMessages(List<ChatMessage> conversation) {
        return new ChatRequest(conversation, this.tools, this.enableThinking, this.maxTokens, this.stop, this.sampling,
                this.samplingFields);
    }

}
