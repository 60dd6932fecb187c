package io.rkllm.gateway.web;

import io.rkllm.gateway.security.Callers;
import io.rkllm.gateway.stream.Caller;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.RequestUpgradeStrategy;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.util.context.ContextView;

/**
 * The WebSocket handshake, handing each socket's handler its Reactor Netty connection and its caller in the Reactor
 * context (which Spring carries over to the handler): the calls on the socket are that caller's; the socket's frames are encoded and written on its event loop, as SSE
 * responses' are, and its pipeline closes an oversized fragmented message with 1009.
 */
final class SocketHandshake extends HandshakeWebSocketService {

    private static final String CONNECTION = SocketHandshake.class.getName() + ".connection";

    private static final String CALLER = SocketHandshake.class.getName() + ".caller";

    SocketHandshake(RequestUpgradeStrategy upgrade) {
        super(upgrade);
    }

    @Override
    public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
        Connection connection = StreamedBody.connection(exchange.getResponse());
        return Callers.of(exchange)
            .flatMap((caller) -> super.handleRequest(exchange, handler)
                .contextWrite((context) -> context.put(CONNECTION, connection).put(CALLER, caller)));
    }

    /** Who opened the socket whose handler runs in this context, as the security chain let them in. */
    static Caller caller(ContextView context) {
        return context.getOrDefault(CALLER, Caller.UNIDENTIFIED);
    }

    /** The connection of the socket whose handler runs in this context. */
    static Connection connection(ContextView context) {
        if (context.getOrEmpty(CONNECTION).orElse(null) instanceof Connection connection) {
            return connection;
        }
        throw new IllegalStateException("a WebSocket handler runs without the connection of its socket: its "
                + "handshake was not a " + SocketHandshake.class.getSimpleName() + "'s");
    }

}
