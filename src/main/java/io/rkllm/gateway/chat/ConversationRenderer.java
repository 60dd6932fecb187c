package io.rkllm.gateway.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.rkllm.gateway.nativebridge.KvCachePlan;
import io.rkllm.gateway.nativebridge.KvCachePlan.FunctionTools;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a conversation into what the runtime prefills: the whole of it, and, when the conversation extends one whose
 * earlier turns the KV cache may hold, just its new turn with a {@link KvCachePlan} that lets the runtime choose at
 * run time. With a configured chat template the gateway renders everything (tools and the thinking switch included)
 * and the runtime's own template is set empty; without one the runtime's template frames each turn, earlier turns
 * go in as a plain transcript, and tools go through {@code rkllm_set_function_tools}.
 */
final class ConversationRenderer {

    /** The tag the runtime wraps tool results in, as Rockchip's demo sets it. */
    private static final String TOOL_RESPONSE_TAG = "tool_response";

    private final @Nullable ChatTemplate template;

    ConversationRenderer(@Nullable ChatTemplate template) {
        this.template = template;
    }

    /**
     * A conversation ready to run.
     *
     * @param prompt the whole conversation as the runtime takes it
     * @param role the role of that prompt
     * @param thinking whether the prompt ends inside the model's reasoning (the output starts there)
     */
    record Rendered(String prompt, String role, KvCachePlan plan, boolean thinking) {
    }

    Rendered render(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        int lastAnswer = lastAssistant(messages);
        List<ChatMessage> history = messages.subList(0, lastAnswer + 1);
        List<ChatMessage> turn = messages.subList(lastAnswer + 1, messages.size());
        String holds = (lastAnswer >= 0 && !turn.isEmpty()) ? key(history, request) : null;
        if (this.template != null) {
            return withTemplate(this.template, request, history, holds);
        }
        return withRuntimeTemplate(request, history, turn, holds);
    }

    /** What the KV cache holds after a run of {@code request} that answered {@code answer}. */
    String keyAfter(ChatRequest request, ChatMessage answer) {
        List<ChatMessage> conversation = new ArrayList<>(request.messages());
        conversation.add(answer);
        return key(conversation, request);
    }

    private static Rendered withTemplate(ChatTemplate template, ChatRequest request, List<ChatMessage> history,
            @Nullable String holds) {
        String whole = template.render(request.messages(), request.tools(), true, request.enableThinking());
        String continuation = "";
        if (holds != null) {
            String before = template.render(history, request.tools(), false, request.enableThinking());
            if (whole.startsWith(before)) {
                // The cache holds the earlier answer as generated, without what closes the turn (the end-of-turn text
                // after its last text or call in the rendering): that goes in again before the new turn.
                ChatMessage answer = history.get(history.size() - 1);
                String last = answer.toolCalls().isEmpty() ? answer.content() : OutputParser.TOOL_CLOSE;
                int at = last.isEmpty() ? -1 : before.lastIndexOf(last);
                String closing = (at >= 0) ? before.substring(at + last.length()) : "";
                continuation = closing + whole.substring(before.length());
            }
            else {
                holds = null;
            }
        }
        boolean thinking = whole.stripTrailing().endsWith(OutputParser.THINK_OPEN);
        return new Rendered(whole, "user", new KvCachePlan(holds, continuation, "user", true, null), thinking);
    }

    private static Rendered withRuntimeTemplate(ChatRequest request, List<ChatMessage> history,
            List<ChatMessage> turn, @Nullable String holds) {
        FunctionTools tools = null;
        List<ChatMessage> messages = request.messages();
        if (!request.tools().isEmpty()) {
            ChatMessage system = messages.get(0);
            String systemPrompt = "system".equals(system.role()) ? system.content() : "";
            tools = new FunctionTools(systemPrompt, JsonMapper.shared().writeValueAsString(request.tools()),
                    TOOL_RESPONSE_TAG);
            if (!systemPrompt.isEmpty()) {
                messages = messages.subList(1, messages.size());
            }
        }
        String continuation = "";
        String role = "user";
        if (holds != null) {
            List<String> roles = turn.stream().map(ChatMessage::role).distinct().toList();
            if (roles.equals(List.of("user"))) {
                continuation = String.join("\n\n", turn.stream().map(ChatMessage::content).toList());
            }
            else if (roles.equals(List.of("tool"))) {
                role = "tool";
                // Several results of one round go in as one JSON array, as the runtime's demo sends them.
                continuation = (turn.size() == 1) ? turn.get(0).content()
                        : JsonMapper.shared().writeValueAsString(turn.stream().map(ChatMessage::content).toList());
            }
            else {
                holds = null;
            }
        }
        return new Rendered(transcript(messages), "user", new KvCachePlan(holds, continuation, role, false, tools),
                false);
    }

    /**
     * A conversation for a template that frames one turn: a question on its own (after its system prompt), or each
     * message as {@code role: text}, one paragraph each.
     */
    private static String transcript(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            return "";
        }
        if (messages.size() <= 2 && messages.get(messages.size() - 1).role().equals("user")
                && (messages.size() == 1 || messages.get(0).role().equals("system"))) {
            return String.join("\n\n", messages.stream().map(ChatMessage::content).toList());
        }
        List<String> paragraphs = new ArrayList<>();
        for (ChatMessage message : messages) {
            StringBuilder text = new StringBuilder(message.content());
            for (ToolCall call : message.toolCalls()) {
                text.append(OutputParser.TOOL_OPEN)
                    .append("{\"name\":")
                    .append(JsonMapper.shared().writeValueAsString(call.name()))
                    .append(",\"arguments\":")
                    .append(call.arguments())
                    .append('}')
                    .append(OutputParser.TOOL_CLOSE);
            }
            paragraphs.add(message.role() + ": " + text);
        }
        return String.join("\n\n", paragraphs);
    }

    private static int lastAssistant(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).isAssistant()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A conversation's identity, the same whichever API sends it and however a client spaces the text around an
     * answer or spells a call's arguments: roles, texts, tool calls (name and arguments), the tools and the thinking
     * switch. Reasoning and call ids are left out: clients do not send them back alike.
     */
    private static String key(List<ChatMessage> messages, ChatRequest request) {
        List<Map<String, Object>> canonical = new ArrayList<>();
        for (ChatMessage message : messages) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("role", message.role());
            entry.put("content", message.content().strip());
            entry.put("tool_calls", message.toolCalls()
                .stream()
                .map((call) -> List.of(call.name(), JsonMapper.shared().readTree(call.arguments())))
                .toList());
            entry.put("tool_call_id", message.toolCallId());
            canonical.add(entry);
        }
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("messages", canonical);
        identity.put("tools", request.tools());
        identity.put("thinking", request.enableThinking());
        return Sha256.hex(JsonMapper.shared().writeValueAsBytes(identity));
    }

}
