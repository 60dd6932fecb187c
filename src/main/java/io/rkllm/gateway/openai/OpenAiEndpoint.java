package io.rkllm.gateway.openai;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

import io.rkllm.gateway.chat.ChatAnswer;
import io.rkllm.gateway.chat.ChatEvent;
import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.chat.ChatModel;
import io.rkllm.gateway.chat.ChatService;
import io.rkllm.gateway.chat.ChatService.ChatStream;
import io.rkllm.gateway.chat.RequestJson;
import io.rkllm.gateway.chat.ServedModel;
import io.rkllm.gateway.chat.StreamOpening;
import io.rkllm.gateway.chat.ToolCall;
import io.rkllm.gateway.openai.OpenAiWire.ChatCompletion;
import io.rkllm.gateway.openai.OpenAiWire.Choice;
import io.rkllm.gateway.openai.OpenAiWire.Completion;
import io.rkllm.gateway.openai.OpenAiWire.CompletionChoice;
import io.rkllm.gateway.openai.OpenAiWire.Function;
import io.rkllm.gateway.openai.OpenAiWire.Message;
import io.rkllm.gateway.openai.OpenAiWire.Model;
import io.rkllm.gateway.openai.OpenAiWire.ModelList;
import io.rkllm.gateway.openai.OpenAiWire.Usage;
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
 * The OpenAI-compatible routes: {@code GET /v1/models}, {@code GET /v1/models/{id}}, {@code POST /v1/chat/completions}
 * and {@code POST /v1/completions}, over every model of the catalogue. No {@code produces} restriction: the official
 * clients stream with {@code Accept: application/json}. A streamed run whose client goes away is aborted (its events
 * are cancelled).
 */
public final class OpenAiEndpoint {

    /** The response header that names the request's fields the loaded runtime cannot carry per run. */
    public static final String IGNORED_HEADER = "x-rkllm-ignored";

    private static final String TRANSPORT = "openai";

    private final ChatService chats;

    private final DataSize maxRequest;

    private final Duration heartbeat;

    private final ObjectMapper mapper;

    private final Clock clock;

    public OpenAiEndpoint(ChatService chats, DataSize maxRequest, Duration heartbeat, ObjectMapper mapper,
            Clock clock) {
        this.chats = chats;
        this.maxRequest = maxRequest;
        this.heartbeat = heartbeat;
        this.mapper = mapper;
        this.clock = clock;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
            .GET("/v1/models", this::models)
            .GET("/v1/models/{id}", this::model)
            .POST("/v1/chat/completions", (request) -> run(request, true))
            .POST("/v1/completions", (request) -> run(request, false))
            .build();
    }

    private Mono<ServerResponse> models(ServerRequest request) {
        return json(new ModelList("list", this.chats.models().stream().map(this::describe).toList()));
    }

    private Mono<ServerResponse> model(ServerRequest request) {
        String id = request.pathVariable("id");
        return this.chats.model(id)
            .map((model) -> json(describe(model)))
            .orElseGet(() -> OpenAiErrors.modelNotFound(id));
    }

    private Model describe(ChatModel model) {
        ServedModel served = this.chats.describe(model);
        return Model.of(served.id(), served.modified().getEpochSecond());
    }

    private Mono<ServerResponse> run(ServerRequest request, boolean chat) {
        return Callers.of(request.exchange()).flatMap((caller) -> RequestBodies.read(request, this.maxRequest)
            .flatMap((body) -> {
                Params params = RequestJson.object(body);
                String name = OpenAiRequests.model(params);
                Optional<ChatModel> found = this.chats.model(name);
                if (found.isEmpty()) {
                    return OpenAiErrors.modelNotFound(Objects.requireNonNull(name));
                }
                ChatModel model = found.get();
                OpenAiRequest parsed = chat ? OpenAiRequests.chat(params, model.thinks())
                        : OpenAiRequests.completion(params, model.thinks());
                return this.chats.start(parsed.chat(), model, TRANSPORT, caller, null).flatMap((started) -> {
                    ChatStream stream = new ChatStream(started.sessionId(), started.ignored(),
                            parsed.toolChoice().enforce(started.events()));
                    String id = (chat ? "chatcmpl-" : "cmpl-") + stream.sessionId();
                    long created = this.clock.instant().getEpochSecond();
                    return parsed.stream() ? streamed(parsed, stream, id, created, model.id(), chat)
                            : whole(stream, id, created, model.id(), chat);
                });
            }))
            .onErrorResume(OpenAiErrors::response);
    }

    private Mono<ServerResponse> streamed(OpenAiRequest parsed, ChatStream stream, String id, long created,
            String model, boolean chat) {
        OpenAiStreamEncoder encoder = new OpenAiStreamEncoder(this.mapper, id, created, model, chat,
                parsed.includeUsage());
        return StreamOpening.of(stream.events()).flatMap((opening) -> (opening.failure() != null)
                ? OpenAiErrors.response(opening.failure())
                : ignoring(ServerResponse.ok(), stream).contentType(MediaType.TEXT_EVENT_STREAM)
                    .header("Cache-Control", "no-cache")
                    .header("X-Accel-Buffering", "no")
                    .body(StreamedBody.of(encoder.preamble(),
                            opening.events().filter((event) -> chat || !(event instanceof ChatEvent.Reasoning)),
                            encoder, OpenAiStreamEncoder.KEEP_ALIVE, this.heartbeat)));
    }

    private Mono<ServerResponse> whole(ChatStream stream, String id, long created, String model, boolean chat) {
        BiFunction<ChatAnswer, Done, Object> body = chat
                ? (answer, done) -> new ChatCompletion(id, "chat.completion", created, model,
                        List.of(new Choice(0, message(answer), null, done.finishReason())), usage(done))
                : (answer, done) -> new Completion(id, "text_completion", created, model,
                        List.of(new CompletionChoice(answer.text(), 0, null, done.finishReason())), usage(done));
        return ChatAnswer.of(stream.events()).flatMap((answer) -> {
            Done done = answer.done();
            if (done.failure() != null) {
                return OpenAiErrors.response(done.failure());
            }
            return ignoring(ServerResponse.ok(), stream).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body.apply(answer, done));
        });
    }

    private static Message message(ChatAnswer answer) {
        List<ToolCall> calls = answer.toolCalls();
        String text = answer.text();
        String reasoning = answer.reasoning();
        return new Message("assistant", (text.isEmpty() && !calls.isEmpty()) ? null : text,
                reasoning.isEmpty() ? null : reasoning,
                calls.stream().map((call) -> toolCall(null, call)).toList());
    }

    private static ServerResponse.BodyBuilder ignoring(ServerResponse.BodyBuilder response, ChatStream stream) {
        if (!stream.ignored().isEmpty()) {
            response.header(IGNORED_HEADER, String.join(", ", stream.ignored()));
        }
        return response;
    }

    private Mono<ServerResponse> json(Object body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

    static OpenAiWire.ToolCall toolCall(Integer index, ToolCall call) {
        return new OpenAiWire.ToolCall(index, call.id(), "function", new Function(call.name(), call.arguments()));
    }

    static Usage usage(Done done) {
        return new Usage(done.usage().promptTokens(), done.usage().completionTokens(), done.usage().totalTokens());
    }

}
