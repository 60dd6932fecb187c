package io.rkllm.gateway.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.rkllm.gateway.nativebridge.Perf;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.rpc.ParamSpec;
import io.rkllm.gateway.rpc.Params;
import io.rkllm.gateway.rpc.RpcCall;
import io.rkllm.gateway.rpc.RpcContext;
import io.rkllm.gateway.rpc.RpcMethod;
import io.rkllm.gateway.rpc.RunParams;
import io.rkllm.gateway.stream.SessionStream;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamManager;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;
import tools.jackson.databind.node.ObjectNode;

/**
 * The MCP tools, each a thin adapter: {@code generate} starts a run through the stream manager's seam and streams its
 * chunks as progress notifications; {@code abort} and {@code status} are the JSON-RPC registry's
 * {@code rkllm_abort} and {@code stream_manager_status}, called with the same parameter checks, so that they behave
 * and fail as over {@code /rpc}.
 */
public final class McpTools {

    /** What {@code /actuator/streams} shows as the transport of the sessions MCP clients start. */
    static final String TRANSPORT = "mcp";

    /** The one parameter of {@code generate} that {@code rkllm_run} names otherwise ({@code prompt_input}). */
    private static final ParamSpec PROMPT = ParamSpec.required("prompt", "string", "the prompt");

    /** {@code generate}'s parameters: the prompt, and these of {@code rkllm_run}'s as the registry declares them. */
    private static final List<String> RUN_FIELDS = List.of("max_new_tokens", "sampling", "role", "enable_thinking",
            "model");

    private final StreamManager manager;

    private final RunParams runParams;

    private final Map<String, RpcMethod> registry;

    private final ObjectMapper mapper;

    private final McpCancellations cancellations;

    private final List<ParamSpec> generateParams;

    /**
     * @param registry the JSON-RPC methods by name, from the dispatcher's registry
     * @param mapper reads tool arguments into the {@link Params} that the registry's checks take
     */
    public McpTools(StreamManager manager, RunParams runParams, Map<String, RpcMethod> registry, ObjectMapper mapper,
            McpCancellations cancellations) {
        this.manager = manager;
        this.runParams = runParams;
        this.registry = registry;
        this.mapper = mapper;
        this.cancellations = cancellations;
        List<ParamSpec> params = new ArrayList<>(List.of(PROMPT));
        RUN_FIELDS.forEach((name) -> params.add(RunParams.SPECS.stream()
            .filter((spec) -> spec.name().equals(name))
            .findFirst()
            .orElseThrow()));
        this.generateParams = List.copyOf(params);
    }

    /** The tools, for the MCP server. */
    public List<AsyncToolSpecification> specifications() {
        return List.of(tool("generate", "Generates text from a prompt on the NPU. With a progress token, each "
                + "piece of text arrives as a progress notification (message = the piece, progress = tokens so far) "
                + "as it is generated; the result holds the whole text. Cancelling the call aborts the run.",
                this.generateParams, McpToolSchemas.generateOutput(), this::generate),
                registered("abort", "rkllm_abort", McpToolSchemas.abortOutput()),
                registered("status", "stream_manager_status", McpToolSchemas.statusOutput()));
    }

    private static AsyncToolSpecification tool(String name, String description, List<ParamSpec> params,
            Map<String, Object> output, Handler handler) {
        McpSchema.Tool tool = McpSchema.Tool.builder()
            .name(name)
            .description(description)
            .inputSchema(McpToolSchemas.inputSchema(params))
            .outputSchema(output)
            .build();
        return AsyncToolSpecification.builder()
            .tool(tool)
            .callHandler((exchange, call) -> Mono.defer(() -> handler.handle(exchange, call))
                .onErrorResume((ex) -> McpErrors.toolFailure(ex, "MCP tool " + name)))
            .build();
    }

    /** A tool that is a method of the JSON-RPC registry: its description, parameters, checks and handler. */
    private AsyncToolSpecification registered(String name, String method, Map<String, Object> output) {
        RpcMethod rpc = this.registry.get(method);
        if (rpc == null) {
            throw new IllegalStateException("The MCP tool " + name + " needs the method " + method);
        }
        return tool(name, rpc.description(), rpc.params(), output, (exchange, call) -> {
            Params params = arguments(call).only(rpc.params());
            return rpc.handler()
                .handle(new RpcCall(method, params, null, new RpcContext(TRANSPORT, false, McpCallers.of(exchange))))
                .map((result) -> CallToolResult.builder().structuredContent(result).build());
        });
    }

    private Mono<CallToolResult> generate(McpAsyncServerExchange exchange, CallToolRequest call) {
        Params args = arguments(call).only(this.generateParams);
        ObjectNode run = args.node().deepCopy();
        run.set("prompt_input", run.remove(PROMPT.name()));
        return this.manager.start(this.runParams.read(Params.of(run)), TRANSPORT, McpCallers.of(exchange), null)
            .flatMap((stream) -> generated(exchange, call, stream));
    }

    /** The answer of {@code generate} once its run ended, with its text as progress notifications on the way. */
    private Mono<CallToolResult> generated(McpAsyncServerExchange exchange, CallToolRequest call,
            SessionStream stream) {
        StringBuilder text = new StringBuilder();
        Flux<StreamChunk> chunks = stream.events().ofType(StreamChunk.class).doOnNext((c) -> text.append(c.delta()));
        Object token = call.progressToken();
        if (token != null) {
            chunks = chunks.concatMap((chunk) -> progress(exchange, token, chunk).thenReturn(chunk));
        }
        return this.cancellations.cancellable(exchange, chunks)
            .filter(StreamChunk::end)
            .next()
            .flatMap((end) -> {
                StreamChunk.ChunkError error = end.error();
                if (error != null) {
                    return Mono.error(new GatewayException(ErrorCode.of(error.code()), error.message()));
                }
                return Mono.just(CallToolResult.builder()
                    .addTextContent(text.toString())
                    .structuredContent(new Generated(stream.id(), end.finishReason(), end.perf()))
                    .build());
            });
    }

    /** A piece of text as a progress notification; the end chunk, which carries none, makes none. */
    private static Mono<Void> progress(McpAsyncServerExchange exchange, Object token, StreamChunk chunk) {
        if (chunk.end()) {
            return Mono.empty();
        }
        // Each chunk is one token's text, and seq counts from 0.
        return exchange.progressNotification(new McpSchema.ProgressNotification(token, chunk.seq() + 1.0, null,
                chunk.delta()));
    }

    /** A call's arguments as the registry's parameter checks read them (JSON {@code null} counts as absent). */
    private Params arguments(CallToolRequest call) {
        Map<String, Object> arguments = (call.arguments() != null) ? call.arguments() : Map.of();
        return Params.of(this.mapper.valueToTree(arguments));
    }

    /** A tool's work, before its failures become MCP errors or tool errors. */
    @FunctionalInterface
    private interface Handler {

        Mono<CallToolResult> handle(McpAsyncServerExchange exchange, CallToolRequest call);

    }

    /** {@code generate}'s {@code structuredContent}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Generated(String sessionId, @Nullable String finishReason, @Nullable Perf perf) {
    }

}
