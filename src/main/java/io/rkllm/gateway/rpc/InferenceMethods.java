package io.rkllm.gateway.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rkllm.gateway.nativebridge.Perf;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.SessionStream;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamChunk.ChunkError;
import io.rkllm.gateway.stream.StreamLinks;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamSession;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** Runs and their sessions: start, wait, abort, poll, and the stream manager's status. */
public class InferenceMethods implements RpcMethodProvider {

    private final StreamManager manager;

    private final RkllmRuntime runtime;

    private final RunParams runParams;

    private final StreamLinks links;

    /** @param links where the sessions' callers read them: with a stream token for a keyed caller */
    public InferenceMethods(StreamManager manager, RkllmRuntime runtime, RunParams runParams, StreamLinks links) {
        this.manager = manager;
        this.runtime = runtime;
        this.runParams = runParams;
        this.links = links;
    }

    @Override
    public List<RpcMethod> rpcMethods() {
        List<ParamSpec> asyncParams = new ArrayList<>(RunParams.SPECS);
        asyncParams.add(ParamSpec.optional("stream", "boolean", "accepted for compatibility; output always streams"));
        return List.of(
                RpcMethod.of("rkllm_run_async",
                        "Starts a run and returns at once with its session; read it at stream_url or with poll (on a "
                                + "WebSocket its chunks follow as rkllm_stream notifications).",
                        asyncParams, this::runAsync),
                RpcMethod.of("rkllm_run", "Runs and answers with the whole text; with Accept: text/event-stream the "
                        + "answer streams as Server-Sent Events, on a WebSocket its chunks come first as rkllm_stream "
                        + "notifications, and closing the connection aborts the run.",
                        RunParams.SPECS, this::run),
                RpcMethod.of("rkllm_abort", "Aborts a session, by default the one on the NPU.",
                        List.of(ParamSpec.optional("session_id", "string", "the session; default: the running one")),
                        this::abort),
                RpcMethod.of("rkllm_is_running", "Whether the NPU is running an inference now.", List.of(),
                        (call) -> Mono.fromCallable(() -> new Running(this.runtime.isRunning()))
                            .subscribeOn(Schedulers.boundedElastic())),
                RpcMethod.of("poll", "The chunks of a session not yet polled, or those from since_seq on.",
                        List.of(ParamSpec.optional("session_id", "string", "the session"),
                                ParamSpec.optional("request_id", "string",
                                        "instead of session_id: the JSON-RPC id of the rkllm_run_async call"),
                                ParamSpec.optional("since_seq", "integer", "the first chunk wanted")),
                        this::poll),
                RpcMethod.of("stream_manager_status", "Sessions, queue and limits at a glance.", List.of(),
                        (call) -> Mono.fromSupplier(this.manager::status)),
                new RpcMethod("test_streaming_callback",
                        "Streams mock_tokens into a new session through the same callback path as native results, "
                                + "one every delay_ms, without the NPU.",
                        List.of(new ParamSpec("mock_tokens", "array", true, "the text pieces to stream", "string",
                                        List.of()),
                                ParamSpec.optional("delay_ms", "integer", "pause between pieces, 0-10000 (default 0)")),
                        RpcMethod.Gate.TEST, this::testStreamingCallback));
    }

    private Mono<Started> runAsync(RpcCall call) {
        call.params().bool("stream");
        SessionPush push = call.context().push();
        return start(call).flatMap((stream) -> {
            if (push == null) {
                return Mono.just(stream.session());
            }
            push.hold(stream);
            return this.manager.attach(stream.id(), -1, call.context().caller())
                .doOnNext((reader) -> push.follow(reader, 0))
                .map(SessionStream::session);
        }).map((session) -> new Started(session.id(), startStatus(session), session.queuePosition(),
                this.links.url(session.id(), call.context().caller())));
    }

    /** {@code loading} while its model loads, {@code queued} behind another run of its model, else started. */
    private static String startStatus(StreamSession session) {
        if (session.state() != SessionState.QUEUED) {
            return "streaming_started";
        }
        return session.loading() ? "loading" : "queued";
    }

    /**
     * A blocking run answers with the whole text, or, when the caller accepts Server-Sent Events, with the session's
     * stream itself, which the transport writes; a transport that pushes (the WebSocket) gets the events as they come
     * and then the answer. Either way the caller's going away aborts the run.
     */
    private Mono<?> run(RpcCall call) {
        if (call.context().acceptsEventStream()) {
            return this.manager.start(this.runParams.read(call.params()), "sse", call.context().caller(),
                    call.requestKey());
        }
        SessionPush push = call.context().push();
        return start(call).flatMap((stream) -> (push == null) ? completed(stream, Mono.empty())
                : this.manager.attach(stream.id(), -1, call.context().caller())
                    .flatMap((reader) -> completed(stream, push.relay(reader))));
    }

    /** The whole text of a run once it ended, and once {@code relayed} (its pushed notifications) completed. */
    private static Mono<Completed> completed(SessionStream stream, Mono<Void> relayed) {
        StringBuilder text = new StringBuilder();
        return stream.events()
            .ofType(StreamChunk.class)
            .doOnNext((chunk) -> text.append(chunk.delta()))
            .filter(StreamChunk::end)
            .next()
            .delayUntil((end) -> relayed)
            .map((end) -> {
                ChunkError error = end.error();
                if (error != null) {
                    throw new GatewayException(ErrorCode.of(error.code()), error.message());
                }
                return new Completed(stream.id(), text.toString(), end.finishReason(), end.perf());
            });
    }

    private Mono<SessionStream> start(RpcCall call) {
        return this.manager.start(this.runParams.read(call.params()), call.context().transport(),
                call.context().caller(), call.requestKey());
    }

    private Mono<Aborted> abort(RpcCall call) {
        String id = call.params().string("session_id");
        if (id == null) {
            return Mono.fromCallable(() -> this.manager.abortRunning(call.context().caller())
                .map((session) -> new Aborted(true, session.id()))
                .orElse(new Aborted(false, null))).subscribeOn(Schedulers.boundedElastic());
        }
        return this.manager.require(id, call.context().caller())
            .publishOn(Schedulers.boundedElastic())
            .map((session) -> new Aborted(this.manager.abort(session), session.id()));
    }

    private Mono<StreamSession.Poll> poll(RpcCall call) {
        Params params = call.params();
        Long since = params.longValue("since_seq", 0, Long.MAX_VALUE);
        String id = params.string("session_id");
        JsonNode requestId = params.raw("request_id");
        Mono<StreamSession> session;
        if (id != null) {
            session = this.manager.require(id, call.context().caller());
        }
        else if (requestId != null) {
            session = Mono.just(this.manager.findByRequestId(call.context().caller(), RpcCall.requestKeyOf(requestId))
                .orElseThrow(() -> new GatewayException(ErrorCode.SESSION_NOT_FOUND,
                        "no session was started by request " + Echo.of(requestId.toString()))));
        }
        else {
            throw params.invalid("session_id", "or request_id is required");
        }
        return session.map((found) -> found.poll(since));
    }

    private Mono<TestStarted> testStreamingCallback(RpcCall call) {
        List<String> tokens = call.params().strings("mock_tokens");
        int delay = call.params().integer("delay_ms", 0, 10_000, 0);
        SessionStream stream = this.manager.startSynthetic(tokens, Duration.ofMillis(delay), call.context().caller(),
                call.requestKey());
        return Mono.just(new TestStarted(true, tokens.size(), stream.id(),
                this.links.url(stream.id(), call.context().caller())));
    }

    /** The answer to {@code rkllm_run_async}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Started(String sessionId, String status, @Nullable Integer queuePosition, String streamUrl) {
    }

    /** The answer to a blocking {@code rkllm_run}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Completed(String sessionId, String text, @Nullable String finishReason, @Nullable Perf perf) {
    }

    /** The answer to {@code rkllm_abort}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Aborted(boolean aborted, @Nullable String sessionId) {
    }

    /** The answer to {@code rkllm_is_running}. */
    record Running(boolean running) {
    }

    /** The answer to {@code test_streaming_callback}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record TestStarted(boolean callbackRegistered, int tokensProcessed, String sessionId, String streamUrl) {
    }

}
