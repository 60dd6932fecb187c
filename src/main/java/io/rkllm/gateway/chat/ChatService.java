package io.rkllm.gateway.chat;

import java.util.List;
import java.util.Optional;

import io.rkllm.gateway.config.ChatProperties;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import io.rkllm.gateway.nativebridge.InferMode;
import io.rkllm.gateway.nativebridge.InputKind;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.rpc.ClientErrors;
import io.rkllm.gateway.stream.SessionStream;
import io.rkllm.gateway.stream.StreamManager;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * Runs chats for the OpenAI- and Ollama-compatible APIs through the stream manager's seam: renders the conversation
 * (its new turn only when the KV cache holds the rest), bounds the output, and reads it back as {@link ChatEvent}s.
 */
public final class ChatService {

    private final StreamManager manager;

    private final RkllmRuntime runtime;

    private final ChatProperties properties;

    private final @Nullable ChatTemplate template;

    private final ConversationRenderer renderer;

    private final ContextWindow window;

    public ChatService(StreamManager manager, RkllmRuntime runtime, ChatProperties properties,
            @Nullable ChatTemplate template) {
        this.manager = manager;
        this.runtime = runtime;
        this.properties = properties;
        this.template = template;
        this.renderer = new ConversationRenderer(template);
        this.window = new ContextWindow(runtime, properties.contextOverflow());
    }

    /**
     * Starts a run of the conversation; refused at once as the stream manager refuses runs (queue full, runtime
     * unavailable, …) and with -32602 when the conversation does not fit the chat template. A conversation longer
     * than the context ends with a {@link ContextLengthExceededException}, or runs again without its oldest turns
     * where so configured ({@link ContextWindow}). Cancelling the events aborts the run.
     *
     * @param transport the API, as {@code /actuator/streams} shows it
     */
    public ChatStream start(ChatRequest request, String transport) {
        ChatStream first = attempt(request, transport);
        return new ChatStream(first.sessionId(), first.ignored(),
                this.window.fit(request, first.events(), (shorter) -> attempt(shorter, transport).events()));
    }

    /** One run of the conversation as it is. */
    private ChatStream attempt(ChatRequest request, String transport) {
        boolean perRun = perRunSampling();
        int maxTokens = (request.maxTokens() != null) ? request.maxTokens() : this.properties.defaultMaxTokens();
        ConversationRenderer.Rendered rendered;
        RunRequest run;
        try {
            rendered = this.renderer.render(request);
            run = new RunRequest(InputKind.PROMPT, rendered.prompt(), null, null, 0, rendered.role(),
                    request.enableThinking(), InferMode.GENERATE, true, perRun ? maxTokens : null,
                    perRun ? request.sampling() : null, null, null, null, null, rendered.plan());
        }
        catch (RuntimeException ex) {
            throw ClientErrors.translate(ex, "Rendering a conversation");
        }
        SessionStream stream = this.manager.start(run, transport, null);
        // Where the runtime takes the limit per run it counts exactly; elsewhere the guard counts.
        RunawayGuard guard = new RunawayGuard(perRun ? Integer.MAX_VALUE : maxTokens,
                this.properties.repetitionGuard());
        ChatRun chat = new ChatRun(this.manager, this.runtime, stream.session(), request, this.renderer, rendered,
                guard);
        Flux<ChatEvent> events = stream.events()
            .concatMapIterable(chat::onEvent)
            .map((event) -> this.window.classify(event, rendered.prompt()));
        return new ChatStream(stream.id(), perRun ? List.of() : request.samplingFields(), events);
    }

    /** The model served, when one is configured. */
    public Optional<ServedModel> model() {
        return ServedModel.of(this.runtime);
    }

    /** The configured chat template; null when the runtime's own frames each turn. */
    public @Nullable ChatTemplate template() {
        return this.template;
    }

    /** Which template renders conversations, for the health details. */
    public String templateDescription() {
        return (this.template != null) ? "configured (rkllm.chat)"
                : "the runtime's own: it frames one turn, earlier turns go in as a plain transcript "
                        + "(configure the model's template in rkllm.chat.template or rkllm.chat.template-file)";
    }

    /** Whether the model reasons in {@code <think>} blocks, as its template or the configuration says. */
    public boolean thinks() {
        return this.properties.thinking()
                || (this.template != null && this.template.source().contains(OutputParser.THINK_OPEN));
    }

    /** Whether the loaded runtime takes sampling and a token limit per run (ABI 1.3). */
    private boolean perRunSampling() {
        return AbiGeneration.V1_3.label().equals(this.runtime.status().abi());
    }

    /**
     * A started chat run.
     *
     * @param ignored the request's fields that the loaded runtime cannot carry per run, by their names in the request
     */
    public record ChatStream(String sessionId, List<String> ignored, Flux<ChatEvent> events) {
    }

}
