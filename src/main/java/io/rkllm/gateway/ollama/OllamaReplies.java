package io.rkllm.gateway.ollama;

import java.time.Clock;
import java.util.List;
import java.util.function.Function;

import io.rkllm.gateway.chat.ChatAnswer;
import io.rkllm.gateway.chat.ChatEvent;
import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.chat.ChatEvent.Reasoning;
import io.rkllm.gateway.chat.ChatEvent.Text;
import io.rkllm.gateway.chat.ChatEvent.ToolCalled;
import io.rkllm.gateway.chat.ToolCall;
import io.rkllm.gateway.nativebridge.Perf;
import io.rkllm.gateway.ollama.OllamaWire.Message;
import io.rkllm.gateway.ollama.OllamaWire.Reply;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A run's events as Ollama answers them, one JSON object per line (chat: {@code message}; generate:
 * {@code response} and {@code thinking}), the last with {@code done}, {@code done_reason} and the counts and durations
 * in nanoseconds from the runtime's perf; a failed run ends with an {@code {"error":"…"}} line.
 */
final class OllamaReplies implements Function<ChatEvent, byte[]> {

    private final ObjectMapper mapper;

    private final Clock clock;

    private final String model;

    private final boolean chat;

    /** When the request arrived, for {@code total_duration}. */
    private final long startNanos;

    /**
     * @param chat chat replies; else generate replies
     */
    OllamaReplies(ObjectMapper mapper, Clock clock, String model, boolean chat) {
        this.mapper = mapper;
        this.clock = clock;
        this.model = model;
        this.chat = chat;
        this.startNanos = System.nanoTime();
    }

    @Override
    public byte[] apply(ChatEvent event) {
        if (event instanceof Done done) {
            return line((done.failure() != null) ? new OllamaWire.Error(OllamaErrors.message(done.failure()))
                    : last(done, "", "", List.of()));
        }
        String text = (event instanceof Text piece) ? piece.delta() : "";
        String thinking = (event instanceof Reasoning piece) ? piece.delta() : "";
        List<ToolCall> calls = (event instanceof ToolCalled called) ? List.of(called.call()) : List.of();
        return line(reply(text, thinking, calls, false, null, null));
    }

    /** The whole answer as one object, for {@code "stream": false}. */
    Object whole(ChatAnswer answer) {
        Done done = answer.done();
        return last(done, answer.text(), answer.reasoning(), answer.toolCalls());
    }

    /** The answer to a request that only loads or unloads the model. */
    Reply loaded(boolean unload) {
        return reply("", "", List.of(), true, unload ? "unload" : "load", null);
    }

    private Reply last(Done done, String text, String thinking, List<ToolCall> calls) {
        // Ollama says stop for an answer that calls tools.
        String reason = "length".equals(done.finishReason()) ? "length" : "stop";
        return reply(text, thinking, calls, true, reason, done);
    }

    private Reply reply(String text, String thinking, List<ToolCall> calls, boolean end, @Nullable String reason,
            @Nullable Done done) {
        String created = this.clock.instant().toString();
        Message message = this.chat ? new Message("assistant", text, thinking.isEmpty() ? null : thinking,
                calls.isEmpty() ? null : calls.stream().map(OllamaReplies::toolCall).toList()) : null;
        String response = this.chat ? null : text;
        String generateThinking = (this.chat || thinking.isEmpty()) ? null : thinking;
        if (done == null) {
            return new Reply(this.model, created, message, response, generateThinking, end, reason, null, null, null,
                    null, null, null);
        }
        Perf perf = done.usage().perf();
        return new Reply(this.model, created, message, response, generateThinking, true, reason,
                System.nanoTime() - this.startNanos, 0L, done.usage().promptTokens(),
                (perf != null) ? millisToNanos(perf.prefillTimeMs()) : 0L, done.usage().completionTokens(),
                (perf != null) ? millisToNanos(perf.generateTimeMs()) : 0L);
    }

    private static OllamaWire.ToolCall toolCall(ToolCall call) {
        return new OllamaWire.ToolCall(new OllamaWire.Function(call.name(),
                JsonMapper.shared().readTree(call.arguments())));
    }

    private static long millisToNanos(double millis) {
        return Math.round(millis * 1_000_000);
    }

    private byte[] line(Object value) {
        byte[] json = this.mapper.writeValueAsBytes(value);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

}
