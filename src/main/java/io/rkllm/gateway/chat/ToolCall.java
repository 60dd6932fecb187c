package io.rkllm.gateway.chat;

/**
 * A function call the model asked for, or one a client sends back in an assistant message.
 *
 * @param id the call's id ({@code call_…}), by which a {@code tool} message answers it
 * @param arguments the arguments as a JSON object text
 */
public record ToolCall(String id, String name, String arguments) {
}
