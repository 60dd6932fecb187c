package io.rkllm.gateway.ollama;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.rkllm.gateway.chat.ChatAnswer;
import io.rkllm.gateway.chat.ChatEvent;
import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.chat.ChatModel;
import io.rkllm.gateway.chat.ChatService;
import io.rkllm.gateway.chat.ChatService.ChatStream;
import io.rkllm.gateway.chat.ChatTemplate;
import io.rkllm.gateway.chat.RequestJson;
import io.rkllm.gateway.chat.ServedModel;
import io.rkllm.gateway.chat.StreamOpening;
import io.rkllm.gateway.models.ModelCatalogue;
import io.rkllm.gateway.models.ModelState;
import io.rkllm.gateway.models.ModelStatus;
import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.ollama.OllamaWire.Details;
import io.rkllm.gateway.ollama.OllamaWire.Processes;
import io.rkllm.gateway.ollama.OllamaWire.Running;
import io.rkllm.gateway.ollama.OllamaWire.Show;
import io.rkllm.gateway.ollama.OllamaWire.Tag;
import io.rkllm.gateway.ollama.OllamaWire.Tags;
import io.rkllm.gateway.ollama.OllamaWire.Version;
import io.rkllm.gateway.openai.OpenAiEndpoint;
import io.rkllm.gateway.rpc.Params;
import io.rkllm.gateway.security.Callers;
import io.rkllm.gateway.web.RequestBodies;
import io.rkllm.gateway.web.StreamedBody;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * The Ollama-compatible routes: {@code GET /api/tags}, {@code /api/version}, {@code /api/ps}, {@code POST /api/show},
 * {@code /api/chat} and {@code /api/generate}, over every model of the catalogue. The metadata routes read the
 * catalogue and the resident models without a native call, so they answer at once while the NPU is busy; chat and
 * generate stream NDJSON unless {@code "stream": false}, and a streamed run whose client goes away is aborted.
 */
public final class OllamaEndpoint {

    /** The Ollama version this API follows, numeric as clients compare it. */
    static final String VERSION = "0.9.0";

    private static final String TRANSPORT = "ollama";

    private static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    /** {@code expires_at} of a model that stays loaded: Ollama's clients expect a time, not a null. */
    private static final OffsetDateTime NEVER = OffsetDateTime.of(9999, 12, 31, 23, 59, 59, 0, ZoneOffset.UTC);

    private static final DateTimeFormatter WITH_OFFSET = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");

    private final ChatService chats;

    private final ResidentModels residents;

    private final DataSize maxRequest;

    private final ObjectMapper mapper;

    private final Clock clock;

    public OllamaEndpoint(ChatService chats, ResidentModels residents, DataSize maxRequest, ObjectMapper mapper,
            Clock clock) {
        this.chats = chats;
        this.residents = residents;
        this.maxRequest = maxRequest;
        this.mapper = mapper;
        this.clock = clock;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
            .GET("/api/version", (request) -> json(new Version(VERSION)))
            .GET("/api/tags", this::tags)
            .GET("/api/ps", this::ps)
            .POST("/api/show", this::show)
            .POST("/api/chat", (request) -> run(request, true))
            .POST("/api/generate", (request) -> run(request, false))
            .build();
    }

    private Mono<ServerResponse> tags(ServerRequest request) {
        List<Tag> tags = this.chats.models().stream().map(this.chats::describe).map((model) -> new Tag(tagged(model),
                tagged(model), withOffset(model.modified().atOffset(ZoneOffset.UTC)), model.size(), model.digest(),
                Details.RKLLM))
            .toList();
        return json(new Tags(tags));
    }

    /** The loaded models, each until its keep-alive runs out (as if its runs ended now, while it is in use). */
    private Mono<ServerResponse> ps(ServerRequest request) {
        OffsetDateTime now = this.clock.instant().atOffset(ZoneOffset.UTC);
        List<Running> running = new ArrayList<>();
        for (ModelStatus status : this.residents.status().models()) {
            Optional<ChatModel> model = this.chats.model(status.id());
            if (status.state() != ModelState.READY || model.isEmpty() || status.keepAliveMs() == null) {
                continue;
            }
            ServedModel served = this.chats.describe(model.get());
            OffsetDateTime expires = (status.keepAliveUntil() != null)
                    ? status.keepAliveUntil().atOffset(ZoneOffset.UTC)
                    : (status.keepAliveMs() < 0) ? NEVER : now.plus(Duration.ofMillis(status.keepAliveMs()));
            running.add(new Running(tagged(served), tagged(served), served.size(), served.digest(), Details.RKLLM,
                    withOffset(expires), 0L, served.contextLength()));
        }
        return json(new Processes(running));
    }

    private Mono<ServerResponse> show(ServerRequest request) {
        return RequestBodies.read(request, this.maxRequest).flatMap((body) -> {
            Params params = RequestJson.object(body);
            String name = params.has("model") ? params.cString("model") : params.cString("name");
            if (name == null) {
                throw params.invalid("model", "is required (or name)");
            }
            Optional<ChatModel> model = this.chats.model(name);
            if (model.isEmpty()) {
                return OllamaErrors.modelNotFound(name);
            }
            return json(describe(model.get()));
        }).onErrorResume(OllamaErrors::response);
    }

    private Show describe(ChatModel chatModel) {
        ServedModel model = this.chats.describe(chatModel);
        ChatTemplate template = chatModel.template();
        List<String> parameters = new ArrayList<>();
        if (model.contextLength() != null) {
            parameters.add("num_ctx " + model.contextLength());
        }
        if (template != null) {
            template.stopTexts().forEach((text) -> parameters.add("stop " + this.mapper.writeValueAsString(text)));
        }
        List<String> capabilities = new ArrayList<>(List.of("completion", "tools"));
        if (chatModel.thinks()) {
            capabilities.add("thinking");
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("general.architecture", "rkllm");
        info.put("general.basename", model.id());
        if (model.contextLength() != null) {
            info.put("rkllm.context_length", model.contextLength());
        }
        return new Show("", "# served by rkllm-gateway from " + model.id() + ".rkllm\n", String.join("\n", parameters),
                (template != null) ? template.source() : "", Details.RKLLM, info, capabilities,
                withOffset(model.modified().atOffset(ZoneOffset.UTC)));
    }

    private Mono<ServerResponse> run(ServerRequest request, boolean chat) {
        return Callers.of(request.exchange()).flatMap((caller) -> RequestBodies.read(request, this.maxRequest)
            .flatMap((body) -> {
                Params params = RequestJson.object(body);
                String name = OllamaRequests.model(params);
                Optional<ChatModel> found = this.chats.model(name);
                if (found.isEmpty()) {
                    return OllamaErrors.modelNotFound(name);
                }
                ChatModel model = found.get();
                OllamaRequest parsed = chat ? OllamaRequests.chat(params, model.thinks())
                        : OllamaRequests.generate(params, model.thinks());
                OllamaReplies replies = new OllamaReplies(this.mapper, this.clock, parsed.model(), chat);
                if (parsed.loadOnly()) {
                    return loadOrUnload(model, parsed, replies);
                }
                return this.chats.start(parsed.chat(), model, TRANSPORT, caller, parsed.keepAlive())
                    .flatMap((stream) -> answer(parsed, stream, replies));
            }))
            .onErrorResume(OllamaErrors::response);
    }

    /**
     * A request without a prompt: {@code keep_alive} 0 unloads the model (at once when it is idle, else once its runs
     * end: the answer does not wait for them), anything else loads it and answers once it is loaded.
     */
    private Mono<ServerResponse> loadOrUnload(ChatModel model, OllamaRequest parsed, OllamaReplies replies) {
        CompletableFuture<ModelStatus> done = parsed.unloads() ? this.residents.unload(model.id())
                : this.residents.load(model.id(), parsed.keepAlive());
        return Mono.fromFuture(done).then(Mono.defer(() -> json(replies.loaded(parsed.unloads()))));
    }

    private Mono<ServerResponse> answer(OllamaRequest parsed, ChatStream stream, OllamaReplies replies) {
        ServerResponse.BodyBuilder ok = ServerResponse.ok();
        if (!stream.ignored().isEmpty()) {
            ok.header(OpenAiEndpoint.IGNORED_HEADER, String.join(", ", stream.ignored()));
        }
        if (!parsed.stream()) {
            return ChatAnswer.of(stream.events()).flatMap((answer) -> {
                Done done = answer.done();
                if (done.failure() != null) {
                    return OllamaErrors.response(done.failure());
                }
                return ok.contentType(MediaType.APPLICATION_JSON).bodyValue(replies.whole(answer));
            });
        }
        // An empty first write sends the headers as soon as the run opens, while it may still wait for the NPU.
        return StreamOpening.of(stream.events()).flatMap((opening) -> (opening.failure() != null)
                ? OllamaErrors.response(opening.failure())
                : ok.contentType(NDJSON)
                    .body(StreamedBody.of(new byte[0],
                            opening.events().filter((event) -> !(event instanceof ChatEvent.Queued)), replies, null,
                            Duration.ZERO)));
    }

    private static String tagged(ServedModel model) {
        return model.id() + ModelCatalogue.LATEST;
    }

    private static String withOffset(OffsetDateTime time) {
        return WITH_OFFSET.format(time);
    }

    private Mono<ServerResponse> json(Object body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

}
