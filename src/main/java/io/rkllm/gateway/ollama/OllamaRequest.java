package io.rkllm.gateway.ollama;

import java.time.Duration;

import io.rkllm.gateway.chat.ChatRequest;
import org.jspecify.annotations.Nullable;

/**
 * A chat or generate request as read from Ollama's format.
 *
 * @param model the model named, echoed in every reply line
 * @param chat what to run; no messages (chat) or an empty prompt (generate) only loads or unloads the model
 * @param keepAlive how long the model is to stay loaded after the request (negative: for ever; zero: unload; null:
 * {@code rkllm.models.keep-alive})
 */
record OllamaRequest(String model, ChatRequest chat, boolean stream, @Nullable Duration keepAlive) {

    /** Whether the request only asks to load or unload the model (Open WebUI's unload call is one). */
    boolean loadOnly() {
        return this.chat.messages().isEmpty();
    }

    /** Whether the request asks to unload the model ({@code keep_alive} 0). */
    boolean unloads() {
        return this.keepAlive != null && this.keepAlive.isZero();
    }

}
