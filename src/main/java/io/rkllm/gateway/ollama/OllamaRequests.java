package io.rkllm.gateway.ollama;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * Reads Ollama's chat and generate bodies: {@code options}, {@code think}, {@code tools}, a lenient
 * {@code keep_alive}; {@code format} and images are refused clearly, as the runtime cannot honour them; fields it does
 * not know are ignored, as upstream does.
 */
final class OllamaRequests {

    /** The options that are sampling, by their names in Ollama's request. */
    private static final List<String> SAMPLING = List.of("temperature", "top_k", "top_p", "repeat_penalty",
            "frequency_penalty", "presence_penalty", "mirostat", "mirostat_tau", "mirostat_eta");

    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    /** Go's duration syntax, which Ollama's {@code keep_alive} takes: {@code 5m}, {@code 1h30m}, {@code -1s}. */
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private OllamaRequests() {
    }

    /** The model a request names: required, as Ollama requires it. */
    static String model(Params params) {
        String model = params.cString("model");
        if (model == null || model.isBlank()) {
            throw params.invalid("model", "is required");
        }
        return model;
    }

    /** {@code POST /api/chat}, read from its body's JSON; no messages only loads the model. */
    static OllamaRequest chat(Params params, boolean thinksByDefault) {
        List<Params> items = RequestJson.objects(params, "messages");
        List<ChatMessage> messages = new ArrayList<>();
        for (Params item : (items != null) ? items : List.<Params>of()) {
            messages.add(message(item));
        }
        return request(params, messages, RequestJson.tools(params, "tools"), thinksByDefault);
    }

    /** {@code POST /api/generate}: the prompt after its system prompt; an empty one only loads the model. */
    static OllamaRequest generate(Params params, boolean thinksByDefault) {
        refuseImages(params);
        String prompt = params.cString("prompt");
        String system = params.cString("system");
        List<ChatMessage> messages = new ArrayList<>();
        if (prompt != null && !prompt.isEmpty()) {
            if (system != null && !system.isEmpty()) {
                messages.add(ChatMessage.of("system", system));
            }
            messages.add(ChatMessage.of("user", prompt));
        }
        return request(params, messages, List.of(), thinksByDefault);
    }

    private static OllamaRequest request(Params params, List<ChatMessage> messages, List<Map<String, Object>> tools,
            boolean thinksByDefault) {
        String model = model(params);
        refuseFormat(params);
        Params options = params.has("options") ? RequestJson.requireObject(params, "options") : Params.empty();
        Integer predict = options.integer("num_predict", Integer.MIN_VALUE, Integer.MAX_VALUE);
        Integer maxTokens = (predict != null && predict > 0) ? Math.min(predict, ModelParams.MAX_CONTEXT) : null;
        List<String> samplingFields = SAMPLING.stream().filter(options::has).toList();
        Sampling sampling = samplingFields.isEmpty() ? null
                : new Sampling(options.integer("top_k", 0, Integer.MAX_VALUE), options.number("top_p"),
                        options.number("temperature"), options.number("repeat_penalty"),
                        options.number("frequency_penalty"), options.number("presence_penalty"),
                        options.integer("mirostat", 0, 2), options.number("mirostat_tau"),
                        options.number("mirostat_eta"));
        if (sampling != null) {
            sampling.validate();
        }
        List<String> stop = options.has("stop") ? stop(options) : List.of();
        ChatRequest chat = new ChatRequest(messages, tools, think(params, thinksByDefault), maxTokens, stop, sampling,
                samplingFields.stream().map((field) -> "options." + field).toList());
        return new OllamaRequest(model, chat, params.bool("stream", true), keepAlive(params));
    }

    private static ChatMessage message(Params item) {
        String role = item.string("role");
        if (role == null) {
            throw item.invalid("role", "is required");
        }
        if (!ROLES.contains(role)) {
            throw item.invalid("role", "must be system, user, assistant or tool");
        }
        refuseImages(item);
        List<ToolCall> calls = new ArrayList<>();
        List<Params> toolCalls = RequestJson.objects(item, "tool_calls");
        if (toolCalls != null) {
            for (Params call : toolCalls) {
                Params function = RequestJson.requireObject(call, "function");
                calls.add(new ToolCall("", function.requireCString("name"),
                        RequestJson.arguments(function, "arguments")));
            }
        }
        String content = item.cString("content");
        return new ChatMessage(role, (content != null) ? content : "", calls, item.cString("tool_call_id"));
    }

    /** {@code think}: a boolean, or a level ({@code "low"}, {@code "high"}) that means yes. */
    private static boolean think(Params params, boolean fallback) {
        JsonNode think = params.raw("think");
        if (think != null && think.isString()) {
            return !think.asString().isEmpty();
        }
        return params.bool("think", fallback);
    }

    private static List<String> stop(Params options) {
        JsonNode stop = options.raw("stop");
        List<String> texts = (stop != null && stop.isString()) ? List.of(stop.asString()) : options.strings("stop");
        return (texts != null) ? texts : List.of();
    }

    /** {@code format}: none, or {@code ""}; the runtime cannot hold its output to JSON or to a schema. */
    private static void refuseFormat(Params params) {
        JsonNode format = params.raw("format");
        if (format == null || (format.isString() && format.asString().isEmpty())) {
            return;
        }
        String what = format.isString() ? "\"" + format.asString() + "\"" : "a JSON schema";
        throw params.invalid("format", what + " is not supported: the RKLLM runtime cannot constrain its output; "
                + "ask for JSON in the prompt instead");
    }

    private static void refuseImages(Params params) {
        JsonNode images = params.raw("images");
        if (images != null && !(images.isArray() && images.isEmpty())) {
            throw params.invalid("images", "are not supported: this model takes text only");
        }
    }

    /**
     * {@code keep_alive} read leniently, as Ollama reads it: a number of seconds, a Go duration ({@code "5m"},
     * {@code "1h30m"}), or a number in a string ({@code "-1"}); negative means for ever, zero unloads at once; null
     * when it is not given ({@code rkllm.models.keep-alive} then).
     */
    static @Nullable Duration keepAlive(Params params) {
        JsonNode value = params.raw("keep_alive");
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            return seconds(value.decimalValue());
        }
        if (!value.isString()) {
            throw params.invalid("keep_alive", "must be a number of seconds or a duration such as \"5m\"");
        }
        String text = value.asString().strip();
        try {
            return seconds(new BigDecimal(text));
        }
        catch (NumberFormatException ex) {
            // A Go duration, then.
        }
        boolean negative = text.startsWith("-");
        String rest = negative ? text.substring(1) : text;
        Matcher part = DURATION.matcher(rest);
        long nanos = 0;
        int end = 0;
        while (part.find() && part.start() == end) {
            nanos += new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unitNanos(part.group(2))))
                .longValue();
            end = part.end();
        }
        if (end == 0 || end != rest.length()) {
            throw params.invalid("keep_alive", "\"" + text + "\" is not a duration (e.g. \"5m\", \"1h\", \"-1\")");
        }
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    private static Duration seconds(BigDecimal seconds) {
        return Duration.ofNanos(seconds.multiply(BigDecimal.valueOf(1_000_000_000L)).longValue());
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
    }

}
