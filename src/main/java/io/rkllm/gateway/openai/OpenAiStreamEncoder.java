package io.rkllm.gateway.openai;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

import io.rkllm.gateway.chat.ChatEvent;
import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.chat.ChatEvent.Queued;
import io.rkllm.gateway.chat.ChatEvent.Reasoning;
import io.rkllm.gateway.chat.ChatEvent.Text;
import io.rkllm.gateway.chat.ChatEvent.ToolCalled;
import io.rkllm.gateway.openai.OpenAiWire.Chunk;
import io.rkllm.gateway.openai.OpenAiWire.ChunkChoice;
import io.rkllm.gateway.openai.OpenAiWire.Completion;
import io.rkllm.gateway.openai.OpenAiWire.CompletionChoice;
import io.rkllm.gateway.openai.OpenAiWire.Delta;
import io.rkllm.gateway.openai.OpenAiWire.ErrorResponse;
import io.rkllm.gateway.openai.OpenAiWire.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;

/**
 * A run's events as OpenAI streams them: {@code data: <chunk json>} events with no event names, a role-first delta,
 * {@code : queued <n>} comments while waiting, the finish reason on the last chunk, a usage chunk with no choices when
 * asked for, an error event when the run failed, and {@code data: [DONE]}. Chat chunks or text completions.
 */
final class OpenAiStreamEncoder implements Function<ChatEvent, byte[]> {

    static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper mapper;

    private final String id;

    private final long created;

    private final String model;

    private final boolean chat;

    private final boolean includeUsage;

    /**
     * @param chat chat completion chunks; else text completions
     */
    OpenAiStreamEncoder(ObjectMapper mapper, String id, long created, String model, boolean chat,
            boolean includeUsage) {
        this.mapper = mapper;
        this.id = id;
        this.created = created;
        this.model = model;
        this.chat = chat;
        this.includeUsage = includeUsage;
    }

    /** The first event, before the run says anything: the assistant's role (chat only). */
    byte @Nullable [] preamble() {
        return this.chat ? data(chunk(new Delta("assistant", "", null, null), null, null)) : null;
    }

    @Override
    public byte[] apply(ChatEvent event) {
        if (event instanceof Queued queued) {
            return (": queued " + queued.position() + "\n\n").getBytes(StandardCharsets.US_ASCII);
        }
        if (event instanceof Text text) {
            return data(this.chat ? chunk(new Delta(null, text.delta(), null, null), null, null)
                    : completion(text.delta(), null, null));
        }
        if (event instanceof Reasoning reasoning) {
            // Chat only: text completions have no field for it, and their events leave it out.
            return data(chunk(new Delta(null, null, reasoning.delta(), null), null, null));
        }
        if (event instanceof ToolCalled called) {
            return data(chunk(new Delta(null, null, null, List.of(OpenAiEndpoint.toolCall(called.index(),
                    called.call()))), null, null));
        }
        return end((Done) event);
    }

    private byte[] end(Done done) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        if (done.failure() != null) {
            out.writeBytes(data(new ErrorResponse(OpenAiErrors.body(done.failure()))));
        }
        else {
            out.writeBytes(data(this.chat ? chunk(new Delta(null, null, null, null), done.finishReason(), null)
                    : completion("", done.finishReason(), null)));
            if (this.includeUsage) {
                Usage usage = OpenAiEndpoint.usage(done);
                out.writeBytes(data(this.chat ? new Chunk(this.id, "chat.completion.chunk", this.created, this.model,
                        List.of(), usage) : new Completion(this.id, "text_completion", this.created, this.model,
                                List.of(), usage)));
            }
        }
        out.writeBytes(DONE);
        return out.toByteArray();
    }

    private Chunk chunk(Delta delta, @Nullable String finishReason, @Nullable Usage usage) {
        return new Chunk(this.id, "chat.completion.chunk", this.created, this.model,
                List.of(new ChunkChoice(0, delta, null, finishReason)), usage);
    }

    private Completion completion(String text, @Nullable String finishReason, @Nullable Usage usage) {
        return new Completion(this.id, "text_completion", this.created, this.model,
                List.of(new CompletionChoice(text, 0, null, finishReason)), usage);
    }

    private byte[] data(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        out.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
        // Compact JSON holds no raw newline, so one data line carries it.
        out.writeBytes(this.mapper.writeValueAsBytes(value));
        out.write('\n');
        out.write('\n');
        return out.toByteArray();
    }

}
