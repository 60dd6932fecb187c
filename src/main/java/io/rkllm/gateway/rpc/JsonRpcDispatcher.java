package io.rkllm.gateway.rpc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.rkllm.gateway.stream.SessionStream;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.ObjectNode;

/**
 * Strict JSON-RPC 2.0 over a registry of methods: parses the body, answers single requests, batches and
 * notifications, and maps every failure once, here, to an error object. Anything unexpected becomes -32603 with a
 * fixed message; its cause is logged and never sent. The registry documents itself through
 * {@code rkllm_list_functions} and {@code rpc.discover}.
 */
public class JsonRpcDispatcher {

    private final Map<String, RpcMethod> methods = new LinkedHashMap<>();

    /**
     * Reads fractional numbers as exact decimals: an id such as {@code 1e999999999} must come back as the number it
     * is, not as a double that overflowed to infinity. Nesting deeper than {@code rkllm.limits.max-depth} stops the
     * parser at that depth.
     */
    private final ObjectReader reader;

    private final Settings settings;

    private final RpcObserver observer;

    public JsonRpcDispatcher(List<RpcMethodProvider> providers, ObjectMapper mapper, Settings settings,
            RpcObserver observer) {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
            .maxNestingDepth(settings.maxDepth())
            .build();
        this.reader = new ObjectMapper(mapper.tokenStreamFactory().rebuild().streamReadConstraints(constraints).build())
            .readerFor(JsonNode.class)
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        this.settings = settings;
        this.observer = observer;
        new DiscoveryMethods(this::methods, settings.version()).rpcMethods().forEach(this::register);
        providers.forEach((provider) -> provider.rpcMethods().forEach(this::register));
    }

    private void register(RpcMethod method) {
        if (this.methods.putIfAbsent(method.name(), method) != null) {
            throw new IllegalStateException("Method " + method.name() + " is registered twice");
        }
    }

    /** Every registered method, in registration order, gated ones included. */
    public Collection<RpcMethod> methods() {
        return Collections.unmodifiableCollection(this.methods.values());
    }

    /**
     * Answers a request body.
     *
     * @param context the caller as its transport knows it; a single {@code rkllm_run} may answer as Server-Sent
     * Events when it accepts them
     */
    public Mono<Reply> dispatch(byte[] body, RpcContext context) {
        JsonNode tree;
        try {
            tree = this.reader.readTree(body);
        }
        catch (StreamConstraintsException ex) {
            return Mono.just(json(error(null, ErrorCode.PARSE_ERROR, "parse error: the body nests deeper than "
                    + this.settings.maxDepth() + " levels (rkllm.limits.max-depth) or holds a number of over "
                    + StreamReadConstraints.DEFAULT_MAX_NUM_LEN + " digits")));
        }
        catch (JacksonException ex) {
            return Mono.just(json(error(null, ErrorCode.PARSE_ERROR, "parse error: the body is not valid JSON")));
        }
        if (tree == null || tree.isMissingNode()) {
            return Mono.just(json(error(null, ErrorCode.PARSE_ERROR, "parse error: the body is empty")));
        }
        if (!tree.isArray()) {
            return handle(tree, context).map((answer) -> answer.orElse(Reply.NONE)).defaultIfEmpty(Reply.NONE);
        }
        if (tree.isEmpty()) {
            return Mono.just(json(error(null, ErrorCode.INVALID_REQUEST, "invalid request: empty batch")));
        }
        if (tree.size() > this.settings.maxBatch()) {
            return Mono.just(json(error(null, ErrorCode.INVALID_REQUEST, "invalid request: a batch of " + tree.size()
                    + " requests exceeds rkllm.limits.max-batch (" + this.settings.maxBatch() + ")")));
        }
        List<JsonNode> requests = new ArrayList<>(tree.size());
        tree.forEach(requests::add);
        RpcContext member = context.jsonOnly();
        return Flux.fromIterable(requests)
            .concatMap((request) -> handle(request, member))
            .filter(Optional::isPresent)
            .map((answer) -> ((Json) answer.get()).body())
            .collectList()
            .map((answers) -> answers.isEmpty() ? Reply.NONE : new Json(answers));
    }

    /** One request; empty for a notification. */
    private Mono<Optional<Reply>> handle(JsonNode request, RpcContext context) {
        if (!request.isObject()) {
            return answer(error(null, ErrorCode.INVALID_REQUEST, "invalid request: not a JSON object"));
        }
        JsonNode id = request.get("id");
        boolean notification = id == null;
        if (id != null && !(id.isString() || id.isNumber() || id.isNull())) {
            return answer(error(null, ErrorCode.INVALID_REQUEST, "invalid request: id must be a string, number or null"));
        }
        if (id != null && idLength(id) > this.settings.maxIdLength()) {
            return answer(error(null, ErrorCode.INVALID_REQUEST, "invalid request: id longer than "
                    + this.settings.maxIdLength() + " characters (rkllm.limits.max-id-length)"));
        }
        JsonNode version = request.get("jsonrpc");
        if (version == null || !version.isString() || !"2.0".equals(version.stringValue())) {
            return answer(error(id, ErrorCode.INVALID_REQUEST, "invalid request: jsonrpc must be \"2.0\""));
        }
        JsonNode name = request.get("method");
        if (name == null || !name.isString()) {
            return answer(error(id, ErrorCode.INVALID_REQUEST, "invalid request: method must be a string"));
        }
        JsonNode params = request.get("params");
        if (params != null && !params.isObject() && !params.isArray()) {
            return answer(error(id, ErrorCode.INVALID_REQUEST, "invalid request: params must be an object"));
        }
        Mono<Reply> reply = call(name.stringValue(), params, id, notification ? context.jsonOnly() : context);
        return notification ? reply.then(Mono.just(Optional.empty())) : reply.map(Optional::of);
    }

    private Mono<Reply> call(String name, @Nullable JsonNode params, @Nullable JsonNode id, RpcContext context) {
        RpcMethod method = this.methods.get(name);
        String label = (method != null) ? name : "unknown";
        return Mono.defer(() -> {
            if (method == null) {
                throw new GatewayException(ErrorCode.METHOD_NOT_FOUND, "method not found: " + Echo.of(name));
            }
            requireAllowed(method, context);
            if (params != null && !params.isObject()) {
                throw new GatewayException(ErrorCode.INVALID_PARAMS, "params must be an object of named parameters");
            }
            Params named = (params != null) ? Params.of((ObjectNode) params) : Params.empty();
            named.only(method.params());
            return method.handler().handle(new RpcCall(name, named, id, context));
        })
            .map((result) -> (result instanceof SessionStream stream) ? new Stream(stream)
                    : json(JsonRpcResponse.result(id, result)))
            .defaultIfEmpty(json(JsonRpcResponse.result(id, Map.of())))
            .onErrorResume((ex) -> Mono.just(json(JsonRpcResponse.error(id, toError(label, ex)))))
            .doOnNext((reply) -> this.observer.completed(label, outcome(reply)));
    }

    /** Admin methods take an admin caller before their switch is even looked at; then the switch must be on. */
    private static int idLength(JsonNode id) {
        return id.isString() ? id.stringValue().length() : id.toString().length();
    }

    private void requireAllowed(RpcMethod method, RpcContext context) {
        if (method.gate() == RpcMethod.Gate.ADMIN && !context.caller().admin()) {
            throw new GatewayException(ErrorCode.FORBIDDEN, method.name() + " takes an admin key");
        }
        boolean enabled = switch (method.gate()) {
            case NONE -> true;
            case TEST -> this.settings.testMethods();
            case ADMIN -> this.settings.adminMethods();
        };
        if (!enabled) {
            String key = (method.gate() == RpcMethod.Gate.TEST) ? "rkllm.test-methods.enabled"
                    : "rkllm.admin-methods.enabled";
            throw new GatewayException(ErrorCode.METHOD_DISABLED, method.name() + " is disabled (" + key + ")");
        }
    }

    private static JsonRpcError toError(String method, Throwable failure) {
        return JsonRpcError.of(ClientErrors.translate(failure, "Method " + method));
    }

    private static String outcome(Reply reply) {
        if (reply instanceof Json json && json.body() instanceof JsonRpcResponse response && response.error() != null) {
            return ErrorCode.of(response.error().code()).name().toLowerCase(Locale.ROOT);
        }
        return "success";
    }

    private static JsonRpcResponse error(@Nullable JsonNode id, ErrorCode code, String message) {
        return JsonRpcResponse.error(id, JsonRpcError.of(code, message));
    }

    private static Mono<Optional<Reply>> answer(JsonRpcResponse response) {
        return Mono.just(Optional.of(json(response)));
    }

    private static Reply json(Object body) {
        return new Json(body);
    }

    /**
     * What the dispatcher settles on and what the web layer must send.
     */
    public sealed interface Reply permits NoContent, Json, Stream {

        /** Nothing to send: notifications only. */
        Reply NONE = new NoContent();

    }

    /** Nothing to send (HTTP 204). */
    public record NoContent() implements Reply {
    }

    /** A response object or a batch's array of them. */
    public record Json(Object body) implements Reply {
    }

    /** The output of a run, streamed in the same response; cancelling its events aborts the run. */
    public record Stream(SessionStream stream) implements Reply {
    }

    /**
     * What the dispatcher needs to know of the configuration.
     *
     * @param version the service version, for {@code rpc.discover}
     * @param maxDepth JSON nesting levels at most ({@code rkllm.limits.max-depth})
     * @param maxIdLength characters of an id at most ({@code rkllm.limits.max-id-length})
     */
    public record Settings(int maxBatch, boolean testMethods, boolean adminMethods, String version, int maxDepth,
            int maxIdLength) {

        /** With the default bounds of depth (64) and id length (256). */
        public Settings(int maxBatch, boolean testMethods, boolean adminMethods, String version) {
            this(maxBatch, testMethods, adminMethods, version, 64, 256);
        }

    }

}
