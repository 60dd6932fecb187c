package io.rkllm.gateway.mcp;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code notifications/cancelled} for tool calls, which the SDK's server does not act on. A filter in front of the
 * transport reads each message posted to the MCP path: a request's JSON-RPC id goes to the handler through the
 * transport context (the SDK hands handlers no request id), and a cancellation ends the named call's output, whose
 * cancellation in turn aborts its run through the stream manager's seam, as a dropped connection does. Nothing is
 * answered for a cancelled call, as the specification asks.
 */
public final class McpCancellations implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private static final Logger logger = LoggerFactory.getLogger(McpCancellations.class);

    /** The transport-context key of the JSON-RPC id of the request being handled. */
    static final String REQUEST_ID = McpCallers.PREFIX + "request-id";

    private static final String METHOD_CANCELLED = "notifications/cancelled";

    private final McpJsonMapper mapper;

    /** The calls under way that a cancellation can reach, by MCP session and request id. */
    private final Map<CallKey, Sinks.One<Boolean>> calls = new ConcurrentHashMap<>();

    public McpCancellations(McpJsonMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        if (request.method() != HttpMethod.POST) {
            return next.handle(request);
        }
        return request.bodyToMono(String.class).flatMap((body) -> {
            ServerRequest.Builder copy = ServerRequest.from(request).body(body);
            McpSchema.JSONRPCMessage message = read(body);
            if (message instanceof McpSchema.JSONRPCRequest call && call.id() != null) {
                copy.attribute(REQUEST_ID, call.id());
            }
            else if (message instanceof McpSchema.JSONRPCNotification notification
                    && METHOD_CANCELLED.equals(notification.method())) {
                cancel(request.headers().firstHeader(HttpHeaders.MCP_SESSION_ID), notification.params());
            }
            return next.handle(copy.build());
        }).switchIfEmpty(Mono.defer(() -> next.handle(request)));
    }

    /**
     * The output of the tool call being handled, ended early when the client cancels the call. Unregistered when it
     * ends, however it ends.
     */
    <T> Flux<T> cancellable(McpAsyncServerExchange exchange, Flux<T> output) {
        Object id = exchange.transportContext().get(REQUEST_ID);
        if (id == null) {
            return output;
        }
        return Flux.defer(() -> {
            CallKey key = CallKey.of(exchange.sessionId(), id);
            Sinks.One<Boolean> cancelled = Sinks.one();
            this.calls.put(key, cancelled);
            return output.takeUntilOther(cancelled.asMono()).doFinally((signal) -> this.calls.remove(key, cancelled));
        });
    }

    /** Calls under way that a cancellation could reach. */
    int pending() {
        return this.calls.size();
    }

    private void cancel(@Nullable String sessionId, @Nullable Object params) {
        if (sessionId == null || !(params instanceof Map<?, ?> fields) || fields.get("requestId") == null) {
            return;
        }
        Sinks.One<Boolean> call = this.calls.get(CallKey.of(sessionId, fields.get("requestId")));
        if (call != null) {
            logger.debug("MCP session {} cancelled request {}: {}", sessionId, fields.get("requestId"),
                    fields.get("reason"));
            call.tryEmitValue(true);
        }
    }

    /** The message, or null when it is not one: the transport answers that. */
    private McpSchema.@Nullable JSONRPCMessage read(String body) {
        try {
            return McpSchema.deserializeJsonRpcMessage(this.mapper, body);
        }
        catch (IOException | RuntimeException ex) {
            return null;
        }
    }

    /**
     * A call by the MCP session it came on and its JSON-RPC id: a number by its exact value, whatever Java type the
     * JSON reader chose for it, so that the cancellation's {@code requestId} finds it; a string stays a string, so
     * {@code 1} and {@code "1"} are different ids.
     */
    private record CallKey(String sessionId, Object requestId) {

        static CallKey of(String sessionId, Object requestId) {
            return new CallKey(sessionId, (requestId instanceof Number number)
                    ? new BigDecimal(number.toString()).stripTrailingZeros() : requestId.toString());
        }

    }

}
