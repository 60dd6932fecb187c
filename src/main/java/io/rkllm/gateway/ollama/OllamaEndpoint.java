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

import io.rkllm.gateway.chat.ChatAnswer;
import io.rkllm.gateway.chat.ChatEvent;
import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.chat.ChatService;
import io.rkllm.gateway.chat.ChatService.ChatStream;
import io.rkllm.gateway.chat.ChatTemplate;
import io.rkllm.gateway.chat.RequestJson;
import io.rkllm.gateway.chat.ServedModel;
import io.rkllm.gateway.chat.StreamOpening;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.ollama.OllamaWire.Details;
import io.rkllm.gateway.ollama.OllamaWire.Processes;
import io.rkllm.gateway.ollama.OllamaWire.Running;
import io.rkllm.gateway.ollama.OllamaWire.Show;
import io.rkllm.gateway.ollama.OllamaWire.Tag;
import io.rkllm.gateway.ollama.OllamaWire.Tags;
import io.rkllm.gateway.ollama.OllamaWire.Version;
import io.rkllm.gateway.openai.OpenAiEndpoint;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.rpc.Params;
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
 * {@code /api/chat} and {@code /api/generate}. The metadata routes read the runtime's state without a native call, so
 * they answer at once while the NPU is busy; chat and generate stream NDJSON unless {@code "stream": false}, and a
 * streamed run whose client goes away is aborted.
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

    private final RkllmRuntime runtime;

    private final DataSize maxRequest;

    private final ObjectMapper mapper;

    private final Clock clock;

    public OllamaEndpoint(ChatService chats, RkllmRuntime runtime, DataSize maxRequest, ObjectMapper mapper,
            Clock clock) {
        this.chats = chats;
        this.runtime = runtime;
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
        List<Tag> tags = this.chats.model().map((model) -> List.of(new Tag(tagged(model), tagged(model),
                withOffset(model.modified().atOffset(ZoneOffset.UTC)), model.size(), model.digest(), Details.RKLLM)))
            .orElse(List.of());
        return json(new Tags(tags));
    }

    private Mono<ServerResponse> ps(ServerRequest request) {
        Optional<ServedModel> loaded = this.chats.model().filter((model) -> this.runtime.status().ready());
        List<Running> running = loaded.map((model) -> List.of(new Running(tagged(model), tagged(model), model.size(),
                model.digest(), Details.RKLLM, withOffset(NEVER), 0L, model.contextLength())))
            .orElse(List.of());
        return json(new Processes(running));
    }

    private Mono<ServerResponse> show(ServerRequest request) {
        return RequestBodies.read(request, this.maxRequest).flatMap((body) -> {
            Params params = RequestJson.object(body);
            String name = params.has("model") ? params.cString("model") : params.cString("name");
            if (name == null) {
                throw params.invalid("model", "is required (or name)");
            }
            Optional<ServedModel> model = this.chats.model().filter((served) -> served.isNamed(name));
            if (model.isEmpty()) {
                return OllamaErrors.modelNotFound(name);
            }
            return json(describe(model.get()));
        }).onErrorResume(OllamaErrors::response);
    }

    private Show describe(ServedModel model) {
        ChatTemplate template = this.chats.template();
        List<String> parameters = new ArrayList<>();
        if (model.contextLength() != null) {
            parameters.add("num_ctx " + model.contextLength());
        }
        if (template != null) {
            template.stopTexts().forEach((text) -> parameters.add("stop " + this.mapper.writeValueAsString(text)));
        }
        List<String> capabilities = new ArrayList<>(List.of("completion", "tools"));
        if (this.chats.thinks()) {
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
        return RequestBodies.read(request, this.maxRequest).flatMap((body) -> {
            OllamaRequest parsed = chat ? OllamaRequests.chat(body, this.chats.thinks())
                    : OllamaRequests.generate(body, this.chats.thinks());
            Optional<ServedModel> served = this.chats.model();
            if (served.isEmpty() || !served.get().isNamed(parsed.model())) {
                return OllamaErrors.modelNotFound(parsed.model());
            }
            OllamaReplies replies = new OllamaReplies(this.mapper, this.clock, parsed.model(), chat);
            if (parsed.loadOnly()) {
                // The model stays loaded whatever keep_alive says: it is the only one, and loading it again costs
                // seconds on a board.
                return json(replies.loaded(parsed.keepAlive().isZero()));
            }
            ChatStream stream = this.chats.start(parsed.chat(), TRANSPORT);
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
                                opening.events().filter((event) -> !(event instanceof ChatEvent.Queued)), replies,
                                null, Duration.ZERO)));
        }).onErrorResume(OllamaErrors::response);
    }

    private static String tagged(ServedModel model) {
        return model.id() + ServedModel.LATEST;
    }

    private static String withOffset(OffsetDateTime time) {
        return WITH_OFFSET.format(time);
    }

    private Mono<ServerResponse> json(Object body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

}
