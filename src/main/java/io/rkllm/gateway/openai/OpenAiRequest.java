package io.rkllm.gateway.openai;

import io.rkllm.gateway.chat.ChatRequest;

/**
 * A chat or completion request as read from OpenAI's format.
 *
 * @param includeUsage whether a stream ends with a usage chunk ({@code stream_options.include_usage})
 * @param toolChoice which tools the model was handed, and whether its answer must call one
 */
record OpenAiRequest(ChatRequest chat, boolean stream, boolean includeUsage, ToolChoice toolChoice) {
}
