package io.rkllm.gateway.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.rkllm.gateway.chat.ChatMessage;
import io.rkllm.gateway.chat.ChatRequest;
import io.rkllm.gateway.chat.RequestJson;
import io.rkllm.gateway.chat.ToolCall;
import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.nativebridge.Sampling;
import io.rkllm.gateway.rpc.Params;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Reads OpenAI's request bodies: what this service can honour is taken, what it cannot is refused naming the field
 * ({@code n} above 1, JSON response formats, images), and fields it does not know are ignored, as upstream does.
 */
final class OpenAiRequests {

    /** The sampling fields, by their names in OpenAI's request. */
    private static final List<String> SAMPLING = List.of("temperature", "top_p", "frequency_penalty",
            "presence_penalty");

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private OpenAiRequests() {
    }

    /** The model a request names (null: the default). */
    static @Nullable String model(Params params) {
        return params.string("model");
    }

    /** {@code POST /v1/chat/completions}, read from its body's JSON. */
    static OpenAiRequest chat(Params params, boolean thinksByDefault) {
        List<Params> items = RequestJson.objects(params, "messages");
        if (items == null || items.isEmpty()) {
            throw params.invalid("messages", "is required and must hold at least one message");
        }
        List<ChatMessage> messages = new ArrayList<>(items.size());
        for (Params item : items) {
            messages.add(message(item));
        }
        ToolChoice toolChoice = ToolChoice.of(params, RequestJson.tools(params, "tools"));
        refuseJsonFormats(params);
        Params templateArgs = params.has("chat_template_kwargs")
                ? RequestJson.requireObject(params, "chat_template_kwargs") : Params.empty();
        boolean thinking = params.bool("enable_thinking", templateArgs.bool("enable_thinking", thinksByDefault));
        return request(params, messages, toolChoice, thinking);
    }

    /** {@code POST /v1/completions}: one prompt, completed as a user turn. */
    static OpenAiRequest completion(Params params, boolean thinksByDefault) {
        JsonNode prompt = params.raw("prompt");
        String text;
        if (prompt != null && prompt.isArray()) {
            List<String> prompts = params.strings("prompt");
            if (prompts == null || prompts.size() != 1) {
                throw params.invalid("prompt", "must be one string (one prompt per request)");
            }
            text = prompts.get(0);
        }
        else {
            text = params.requireCString("prompt");
        }
        if (text.indexOf('\0') >= 0) {
            throw params.invalid("prompt", "must not contain a NUL character (\\u0000)");
        }
        return request(params, List.of(ChatMessage.of("user", text)), new ToolChoice(List.of(), false),
                thinksByDefault);
    }

    private static OpenAiRequest request(Params params, List<ChatMessage> messages, ToolChoice toolChoice,
            boolean thinking) {
        Integer n = params.integer("n", 1, Integer.MAX_VALUE);
        if (n != null && n != 1) {
            throw params.invalid("n", "only 1 is supported: the NPU answers one request at a time");
        }
        Integer maxTokens = params.integer("max_completion_tokens", 1, ModelParams.MAX_CONTEXT);
        if (maxTokens == null) {
            maxTokens = params.integer("max_tokens", 1, ModelParams.MAX_CONTEXT);
        }
        List<String> samplingFields = SAMPLING.stream().filter(params::has).toList();
        Sampling sampling = samplingFields.isEmpty() ? null
                : new Sampling(null, range(params, "top_p", 0, 1), range(params, "temperature", 0, 2), null,
                        range(params, "frequency_penalty", -2, 2), range(params, "presence_penalty", -2, 2), null,
                        null, null);
        boolean stream = params.bool("stream", false);
        Params options = params.has("stream_options") ? RequestJson.requireObject(params, "stream_options")
                : Params.empty();
        ChatRequest chat = new ChatRequest(messages, toolChoice.tools(), thinking, maxTokens, stop(params), sampling,
                samplingFields);
        return new OpenAiRequest(chat, stream, options.bool("include_usage", false), toolChoice);
    }

    private static ChatMessage message(Params item) {
        String role = item.string("role");
        if (role == null) {
            throw item.invalid("role", "is required");
        }
        if (!ROLES.contains(role)) {
            throw item.invalid("role", "must be system, developer, user, assistant or tool");
        }
        List<ToolCall> calls = new ArrayList<>();
        List<Params> toolCalls = RequestJson.objects(item, "tool_calls");
        if (toolCalls != null) {
            for (Params call : toolCalls) {
                Params function = RequestJson.requireObject(call, "function");
                String id = call.cString("id");
                calls.add(new ToolCall((id != null) ? id : "", function.requireCString("name"),
                        RequestJson.arguments(function, "arguments")));
            }
        }
        return new ChatMessage("developer".equals(role) ? "system" : role, content(item), calls,
                item.cString("tool_call_id"));
    }

    /** A message's text: a string, or text parts ({@code [{"type":"text","text":…}]}); null counts as empty. */
    private static String content(Params item) {
        JsonNode content = item.raw("content");
        if (content == null || content.isString()) {
            String text = item.cString("content");
            return (text != null) ? text : "";
        }
        List<Params> parts = RequestJson.objects(item, "content");
        StringBuilder text = new StringBuilder();
        for (Params part : Objects.requireNonNull(parts)) {
            if (!"text".equals(part.string("type"))) {
                throw part.invalid("type", "must be \"text\": this model takes text only");
            }
            text.append(part.requireCString("text"));
        }
        return text.toString();
    }

    private static List<String> stop(Params params) {
        JsonNode stop = params.raw("stop");
        if (stop == null) {
            return List.of();
        }
        List<String> texts = stop.isString() ? List.of(stop.asString()) : params.strings("stop");
        if (texts == null || texts.size() > 16) {
            throw params.invalid("stop", "must be a string or an array of at most 16 strings");
        }
        return texts;
    }

    /** {@code response_format}: plain text is what the runtime writes; it cannot hold its output to JSON. */
    private static void refuseJsonFormats(Params params) {
        if (!params.has("response_format")) {
            return;
        }
        String type = RequestJson.requireObject(params, "response_format").string("type");
        if (type != null && !type.equals("text")) {
            throw params.invalid("response_format", "type " + type + " is not supported: the RKLLM runtime cannot "
                    + "constrain its output to JSON; ask for JSON in the prompt instead");
        }
    }

    private static @Nullable Float range(Params params, String field, double min, double max) {
        Float value = params.number(field);
        if (value != null && (value < min || value > max)) {
            throw params.invalid(field, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

}
