package io.rkllm.gateway.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.rkllm.gateway.config.ChatProperties;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model's Hugging Face chat template (Jinja), rendered with Jinjava the way {@code transformers} renders it
 * ({@code trim_blocks}, {@code lstrip_blocks}; {@code messages}, {@code tools}, {@code add_generation_prompt},
 * {@code enable_thinking}, {@code bos_token}, {@code eos_token}, {@code raise_exception}).
 */
public final class ChatTemplate {

    private final String source;

    private final String bosToken;

    private final String eosToken;

    private final Jinjava jinjava;

    ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        this.jinjava.getGlobalContext()
            .registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException",
                    String.class));
    }

    /**
     * The template configured in {@code rkllm.chat}: the text itself, or a file that is either a
     * {@code tokenizer_config.json} (its {@code chat_template}, {@code bos_token} and {@code eos_token}) or the bare
     * template; null when none is configured.
     */
    public static @Nullable ChatTemplate configured(ChatProperties properties) {
        if (properties.template() != null) {
            return new ChatTemplate(properties.template(), properties.bosToken(), properties.eosToken());
        }
        Path file = properties.templateFile();
        if (file == null) {
            return null;
        }
        String text;
        try {
            text = Files.readString(file);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("rkllm.chat.template-file " + file + " cannot be read", ex);
        }
        if (!file.getFileName().toString().endsWith(".json")) {
            return new ChatTemplate(text, properties.bosToken(), properties.eosToken());
        }
        JsonNode config = JsonMapper.shared().readTree(text);
        return new ChatTemplate(templateOf(config, file), token(config.get("bos_token"), properties.bosToken()),
                token(config.get("eos_token"), properties.eosToken()));
    }

    /** {@code chat_template} as a string, or the {@code default} of a list of named templates. */
    private static String templateOf(JsonNode config, Path file) {
        JsonNode template = config.get("chat_template");
        if (template != null && template.isString()) {
            return template.asString();
        }
        if (template != null && template.isArray()) {
            for (JsonNode named : template) {
                if ("default".equals(named.path("name").asString(""))) {
                    return named.path("template").asString("");
                }
            }
        }
        throw new IllegalArgumentException(file + " has no chat_template (a string, or a list with a default one)");
    }

    /** A special token as tokenizer_config.json gives it: a string or {@code {"content": …}}. */
    private static String token(@Nullable JsonNode token, String fallback) {
        if (token == null || token.isNull()) {
            return fallback;
        }
        return token.isString() ? token.asString() : token.path("content").asString(fallback);
    }

    /**
     * The texts that end the model's turn, as Ollama's {@code stop} parameters name them: the marker the template
     * writes after an answer (Qwen's {@code <|im_end|>}, Llama 3's {@code <|eot_id|>}), and the {@code eos_token}
     * when it is known; none when the template closes a turn with nothing the gateway can read.
     */
    public List<String> stopTexts() {
        List<String> texts = new ArrayList<>();
        String marker = endOfTurn();
        if (!marker.isEmpty()) {
            texts.add(marker);
        }
        if (!this.eosToken.isEmpty() && !texts.contains(this.eosToken)) {
            texts.add(this.eosToken);
        }
        return texts;
    }

    /**
     * What the template writes right after an assistant's answer, up to the end of that line: rendered from a
     * conversation of one question and one answer; empty when that cannot be rendered or nothing follows the answer.
     */
    private String endOfTurn() {
        String answer = "rkllm-gateway-answer";
        String rendered;
        try {
            rendered = render(List.of(ChatMessage.of("user", "question"), ChatMessage.of("assistant", answer)),
                    List.of(), false, false);
        }
        catch (GatewayException ex) {
            // A template that refuses so plain a conversation names no marker.
            return "";
        }
        int at = rendered.lastIndexOf(answer);
        if (at < 0) {
            return "";
        }
        String closing = rendered.substring(at + answer.length()).strip();
        int lineEnd = closing.indexOf('\n');
        return ((lineEnd >= 0) ? closing.substring(0, lineEnd) : closing).strip();
    }

    /** The template text. */
    public String source() {
        return this.source;
    }

    /**
     * The conversation as the model reads it.
     *
     * @param generationPrompt whether to end with the opening of the assistant's answer
     */
    public String render(List<ChatMessage> messages, List<Map<String, Object>> tools, boolean generationPrompt,
            boolean enableThinking) {
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("messages", messages.stream().map(ChatTemplate::binding).toList());
        if (!tools.isEmpty()) {
            bindings.put("tools", tools);
        }
        bindings.put("add_generation_prompt", generationPrompt);
        bindings.put("enable_thinking", enableThinking);
        bindings.put("bos_token", this.bosToken);
        bindings.put("eos_token", this.eosToken);
        RenderResult result = this.jinjava.renderForResult(this.source, bindings);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new GatewayException(ErrorCode.INVALID_PARAMS,
                        "the model's chat template refused the conversation: " + error.getMessage());
            }
        }
        return result.getOutput();
    }

    /** A message as templates read it: the fields Hugging Face's chat format has, tool arguments as objects. */
    private static Map<String, Object> binding(ChatMessage message) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", message.role());
        map.put("content", message.content());
        if (!message.toolCalls().isEmpty()) {
            List<Map<String, Object>> calls = new ArrayList<>();
            for (ToolCall call : message.toolCalls()) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", call.name());
                function.put("arguments", JsonMapper.shared().readValue(call.arguments(), Map.class));
                calls.add(Map.of("id", call.id(), "type", "function", "function", function));
            }
            map.put("tool_calls", calls);
        }
        if (message.toolCallId() != null) {
            map.put("tool_call_id", message.toolCallId());
        }
        return map;
    }

    /** The templates' {@code raise_exception(message)}: the conversation does not fit the model's format. */
    public static String raiseException(String message) {
        throw new GatewayException(ErrorCode.INVALID_PARAMS, message);
    }

}
