package io.rkllm.gateway.mcp;

import java.util.HashMap;
import java.util.Map;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.rkllm.gateway.security.Callers;
import io.rkllm.gateway.stream.Caller;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The caller of each MCP request (the key the security chain let in, and the remote address), handed to the tools
 * through the transport context, which the SDK builds synchronously from the request: a filter in front of the
 * transport resolves the caller and puts it on the request, and {@link #context} copies it, with what
 * {@link McpCancellations} put there, into the transport context. Runs a tool starts are the caller's, and its
 * client's limits count them, as over {@code /rpc}.
 */
public final class McpCallers implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    /** Request attributes with this prefix go into the transport context. */
    static final String PREFIX = "rkllm.mcp.";

    /** The transport-context key of the request's caller. */
    static final String CALLER = PREFIX + "caller";

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        return Callers.of(request.exchange()).flatMap((caller) -> {
            request.attributes().put(CALLER, caller);
            return next.handle(request);
        });
    }

    /** The transport context of a request: the attributes the MCP filters put on it. */
    public static McpTransportContext context(ServerRequest request) {
        Map<String, Object> values = new HashMap<>();
        request.attributes().forEach((name, value) -> {
            if (name.startsWith(PREFIX) && value != null) {
                values.put(name, value);
            }
        });
        return values.isEmpty() ? McpTransportContext.EMPTY : McpTransportContext.create(values);
    }

    /** The caller of the request a tool call came in; {@link Caller#UNIDENTIFIED} when no filter named one. */
    static Caller of(McpAsyncServerExchange exchange) {
        return (exchange.transportContext().get(CALLER) instanceof Caller caller) ? caller : Caller.UNIDENTIFIED;
    }

}
