package io.rkllm.gateway.chat;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import io.rkllm.gateway.chat.ChatEvent.Reasoning;
import io.rkllm.gateway.chat.ChatEvent.Text;
import io.rkllm.gateway.chat.ChatEvent.ToolCalled;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a run's output as it streams: {@code <think>…</think>} as reasoning, {@code <tool_call>{…}</tool_call>} as tool
 * calls, the rest as text, and ends it at the first stop text. A tag or stop text may be split across any number of
 * tokens: text that could still begin one is held back until the next token tells, so neither ever shows. Not
 * thread-safe: one per run, fed in order.
 */
final class OutputParser {

    static final String THINK_OPEN = "<think>";

    static final String THINK_CLOSE = "</think>";

    static final String TOOL_OPEN = "<tool_call>";

    static final String TOOL_CLOSE = "</tool_call>";

    private static final SecureRandom random = new SecureRandom();

    private enum Mode {

        TEXT, THINK, TOOL

    }

    private final List<String> stops;

    private final StringBuilder pending = new StringBuilder();

    private Mode mode;

    private boolean stopped;

    /** After {@code </think>}: the blank lines that open the answer are left out. */
    private boolean answerStarts;

    private int toolCalls;

    /**
     * @param thinking whether the output starts inside the reasoning (the prompt ended with {@code <think>})
     */
    OutputParser(List<String> stops, boolean thinking) {
        this.stops = List.copyOf(stops);
        this.mode = thinking ? Mode.THINK : Mode.TEXT;
    }

    /** What a piece of output adds; nothing once a stop text was met. */
    List<ChatEvent> feed(String delta) {
        List<ChatEvent> out = new ArrayList<>(1);
        if (!this.stopped) {
            this.pending.append(delta);
            drain(out, false);
        }
        return out;
    }

    /** What is held back, at the end of the output: an unfinished tag is what it is, text or an unclosed call. */
    List<ChatEvent> finish() {
        List<ChatEvent> out = new ArrayList<>(1);
        if (!this.stopped) {
            drain(out, true);
        }
        return out;
    }

    /** Whether a stop text was met: the output ends there. */
    boolean stopped() {
        return this.stopped;
    }

    /** How many tool calls the output made. */
    int toolCalls() {
        return this.toolCalls;
    }

    private void drain(List<ChatEvent> out, boolean end) {
        while (!this.pending.isEmpty() && !this.stopped) {
            if (this.mode == Mode.TOOL) {
                int close = this.pending.indexOf(TOOL_CLOSE);
                if (close < 0) {
                    if (end) {
                        toolCall(out, this.pending.toString(), false);
                        this.pending.setLength(0);
                    }
                    return;
                }
                toolCall(out, this.pending.substring(0, close), true);
                this.pending.delete(0, close + TOOL_CLOSE.length());
                this.mode = Mode.TEXT;
                continue;
            }
            List<String> markers = markers();
            int at = -1;
            String found = null;
            for (String marker : markers) {
                int index = this.pending.indexOf(marker);
                if (index >= 0 && (at < 0 || index < at)) {
                    at = index;
                    found = marker;
                }
            }
            if (found == null) {
                int keep = end ? 0 : heldBack(markers);
                emit(out, this.pending.substring(0, this.pending.length() - keep));
                this.pending.delete(0, this.pending.length() - keep);
                return;
            }
            emit(out, this.pending.substring(0, at));
            this.pending.delete(0, at + found.length());
            if (this.stops.contains(found)) {
                this.stopped = true;
                this.pending.setLength(0);
                return;
            }
            switch (found) {
                case THINK_OPEN -> this.mode = Mode.THINK;
                case THINK_CLOSE -> {
                    this.mode = Mode.TEXT;
                    this.answerStarts = true;
                }
                default -> this.mode = Mode.TOOL;
            }
        }
    }

    /** What ends the current stretch of text or reasoning: the stop texts first, then the tags. */
    private List<String> markers() {
        List<String> markers = new ArrayList<>(this.stops);
        if (this.mode == Mode.THINK) {
            markers.add(THINK_CLOSE);
        }
        else {
            markers.add(THINK_OPEN);
            markers.add(TOOL_OPEN);
        }
        return markers;
    }

    /** The length of the longest end of the pending text that begins a marker. */
    private int heldBack(List<String> markers) {
        String text = this.pending.toString();
        int longest = 0;
        for (String marker : markers) {
            for (int length = Math.min(marker.length() - 1, text.length()); length > longest; length--) {
                if (text.regionMatches(text.length() - length, marker, 0, length)) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }

    private void emit(List<ChatEvent> out, String text) {
        if (this.mode == Mode.THINK) {
            if (!text.isEmpty()) {
                out.add(new Reasoning(text));
            }
            return;
        }
        String shown = text;
        if (this.answerStarts) {
            shown = shown.stripLeading();
            this.answerStarts = shown.isEmpty();
        }
        if (!shown.isEmpty()) {
            out.add(new Text(shown));
        }
    }

    /** A call the model wrote; text as written when it is not one ({@code {"name": …, "arguments": {…}}}). */
    private void toolCall(List<ChatEvent> out, String body, boolean closed) {
        ToolCall call = parse(body);
        if (call != null) {
            out.add(new ToolCalled(this.toolCalls++, call));
            return;
        }
        this.mode = Mode.TEXT;
        emit(out, TOOL_OPEN + body + (closed ? TOOL_CLOSE : ""));
    }

    private static @Nullable ToolCall parse(String body) {
        try {
            JsonNode call = JsonMapper.shared().readTree(body.strip());
            JsonNode name = call.get("name");
            JsonNode arguments = call.has("arguments") ? call.get("arguments") : call.get("parameters");
            if (name == null || !name.isString()) {
                return null;
            }
            if (arguments == null || arguments.isNull()) {
                return new ToolCall(newId(), name.asString(), "{}");
            }
            if (arguments.isString()) {
                arguments = JsonMapper.shared().readTree(arguments.asString());
            }
            return arguments.isObject() ? new ToolCall(newId(), name.asString(), arguments.toString()) : null;
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    /** An id like OpenAI's ({@code call_} and 24 letters and digits). */
    static String newId() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder("call_");
        for (int i = 0; i < 24; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }

}
