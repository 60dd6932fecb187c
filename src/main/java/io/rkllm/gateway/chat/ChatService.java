package io.rkllm.gateway.chat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.rkllm.gateway.config.ChatProperties;
import io.rkllm.gateway.models.ModelCatalogue;
import io.rkllm.gateway.models.ModelFile;
import io.rkllm.gateway.models.ModelSidecar;
import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import io.rkllm.gateway.nativebridge.InferMode;
import io.rkllm.gateway.nativebridge.InputKind;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.rpc.ClientErrors;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.StreamManager;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs chats for the OpenAI- and Ollama-compatible APIs through the stream manager's seam, on the model each request
 * names: renders the conversation with that model's template (its new turn only when the model's KV cache holds the
 * rest), bounds the output, and reads it back as {@link ChatEvent}s.
 */
public final class ChatService {

    private final StreamManager manager;

    private final RkllmRuntime runtime;

    private final ModelCatalogue catalogue;

    private final ResidentModels residents;

    private final ChatProperties properties;

    private final @Nullable ChatTemplate template;

    /** By id, as made from the catalogue's latest view of the model; made again when its file or sidecar changes. */
    private final Map<String, ChatModel> models = new ConcurrentHashMap<>();

    private final ContextWindow window;

    /**
     * @param runtime the default model's runtime, for the ABI all models share
     * @param template {@code rkllm.chat}'s template: the default model's unless its sidecar has one
     */
    public ChatService(StreamManager manager, RkllmRuntime runtime, ModelCatalogue catalogue,
            ResidentModels residents, ChatProperties properties, @Nullable ChatTemplate template) {
        this.manager = manager;
        this.runtime = runtime;
        this.catalogue = catalogue;
        this.residents = residents;
        this.properties = properties;
        this.template = template;
        this.window = new ContextWindow(properties.contextOverflow());
    }

    /**
     * Starts a run of the conversation on its model's lane once subscribed to; refused (the answer's error) as the
     * stream manager refuses runs (queue full, runtime or model unavailable, the caller's share used, …) and with
     * -32602 when the conversation does not fit the chat template. A conversation longer than the context ends with a
     * {@link ContextLengthExceededException}, or runs again without its oldest turns where so configured
     * ({@link ContextWindow}). Cancelling the events aborts the run.
     *
     * @param transport the API, as {@code /actuator/streams} shows it
     * @param caller who asks: the session is theirs, and their client's limits count it
     * @param keepAlive how long the model stays loaded after the run (null: {@code rkllm.models.keep-alive})
     */
    public Mono<ChatStream> start(ChatRequest request, ChatModel model, String transport, Caller caller,
            @Nullable Duration keepAlive) {
        return attempt(request, model, transport, caller, keepAlive).map((first) -> new ChatStream(first.sessionId(),
                first.ignored(), this.window.fit(request, first.events(), (shorter) -> attempt(shorter, model,
                        transport, caller, keepAlive).flatMapMany(ChatStream::events))));
    }

    /** One run of the conversation as it is, started when subscribed to. */
    private Mono<ChatStream> attempt(ChatRequest request, ChatModel model, String transport, Caller caller,
            @Nullable Duration keepAlive) {
        return Mono.defer(() -> {
            boolean perRun = perRunSampling();
            int maxTokens = (request.maxTokens() != null) ? request.maxTokens() : this.properties.defaultMaxTokens();
            ChatRequest conversation = model.withSystemPrompt(request);
            ConversationRenderer renderer = model.renderer();
            ConversationRenderer.Rendered rendered;
            RunRequest run;
            try {
                rendered = renderer.render(conversation);
                run = new RunRequest(InputKind.PROMPT, rendered.prompt(), null, null, 0, rendered.role(),
                        conversation.enableThinking(), InferMode.GENERATE, true, perRun ? maxTokens : null,
                        perRun ? conversation.sampling() : null, null, null, model.id(), keepAlive, rendered.plan());
            }
            catch (RuntimeException ex) {
                throw ClientErrors.translate(ex, "Rendering a conversation");
            }
            return this.manager.start(run, transport, caller, null).map((stream) -> {
                // Where the runtime takes the limit per run it counts exactly; elsewhere the guard counts.
                RunawayGuard guard = new RunawayGuard(perRun ? Integer.MAX_VALUE : maxTokens,
                        this.properties.repetitionGuard());
                ChatRun chat = new ChatRun(this.manager, stream.session(), conversation, renderer, rendered, guard);
                Integer context = contextLength(model);
                Flux<ChatEvent> events = stream.events()
                    .concatMapIterable(chat::onEvent)
                    .map((event) -> this.window.classify(event, rendered.prompt(), context));
                return new ChatStream(stream.id(), perRun ? List.of() : request.samplingFields(), events);
            });
        });
    }

    /** Every model of the catalogue, the default first; those whose file went are forgotten. */
    public List<ChatModel> models() {
        List<ChatModel> models = this.catalogue.models().stream().map(this::chatModel).toList();
        this.models.keySet().retainAll(models.stream().map(ChatModel::id).toList());
        return models;
    }

    /** The model a request names by id or alias, alone or tagged {@code :latest} (null: the default model). */
    public Optional<ChatModel> model(@Nullable String name) {
        if (name == null) {
            return Optional.of(chatModel(this.catalogue.defaultModel()));
        }
        return this.catalogue.find(name).map(this::chatModel);
    }

    /** A model as the model lists describe it, with the context window it runs (or would run) with. */
    public ServedModel describe(ChatModel model) {
        return ServedModel.of(model.file(), contextLength(model));
    }

    /** The context window the model runs (or would run) with; null when its file went since it was listed. */
    private @Nullable Integer contextLength(ChatModel model) {
        try {
            return this.residents.params(model.id()).maxContextLen();
        }
        catch (GatewayException ex) {
            return null;
        }
    }

    /** Which template renders the default model's conversations, for the health details. */
    public String templateDescription() {
        if (this.catalogue.defaultModel().sidecar().chatTemplate() != null) {
            return "the default model's sidecar (chat_template)";
        }
        return (this.template != null) ? "configured (rkllm.chat)"
                : "the runtime's own: it frames one turn, earlier turns go in as a plain transcript "
                        + "(configure the model's template in rkllm.chat.template or rkllm.chat.template-file)";
    }

    private ChatModel chatModel(ModelFile file) {
        return this.models.compute(file.id(), (id, known) -> (known != null && known.file().equals(file)) ? known
                : new ChatModel(file, templateOf(file), file.isDefault() && this.properties.thinking()));
    }

    /** The sidecar's template, else {@code rkllm.chat}'s for the default model, else none. */
    private @Nullable ChatTemplate templateOf(ModelFile file) {
        ModelSidecar sidecar = file.sidecar();
        if (sidecar.chatTemplate() != null) {
            return new ChatTemplate(sidecar.chatTemplate(), Objects.requireNonNullElse(sidecar.bosToken(), ""),
                    Objects.requireNonNullElse(sidecar.eosToken(), ""));
        }
        return file.isDefault() ? this.template : null;
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
