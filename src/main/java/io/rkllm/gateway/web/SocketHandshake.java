package io.rkllm.gateway.web;

import java.time.Duration;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.security.ApiErrors;
import io.rkllm.gateway.security.Callers;
import io.rkllm.gateway.security.ConnectionLimits;
import io.rkllm.gateway.security.CredentialsConverter;
import io.rkllm.gateway.stream.Caller;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.RequestUpgradeStrategy;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.util.context.ContextView;

/**
 * The WebSocket handshake. A key offered as a {@code bearer.<key>} subprotocol must come with the endpoint's own
 * ({@link GatewaySocket#SUBPROTOCOL}), which the handshake answers with (400 otherwise). Each socket counts as a
 * stream against {@code rkllm.limits.max-streams} for as long as its connection is open (past the cap the handshake
 * gets 503, as an SSE request does), and its handler gets its Reactor Netty connection and its caller in the Reactor
 * context (which Spring carries over to the handler): the calls on the socket are that caller's; the socket's frames
 * are encoded and written on its event loop, as SSE responses' are, and its pipeline closes an oversized fragmented
 * message with 1009.
 */
final class SocketHandshake extends HandshakeWebSocketService {

    private static final String CONNECTION = SocketHandshake.class.getName() + ".connection";

    private static final String CALLER = SocketHandshake.class.getName() + ".caller";

    private static final String KEY_WITHOUT_SUBPROTOCOL = "offer the subprotocol " + GatewaySocket.SUBPROTOCOL
            + " with " + CredentialsConverter.KEY_SUBPROTOCOL_PREFIX + "<key>: the handshake answers with it, "
            + "never with the key";

    private final ConnectionLimits limits;

    private final ApiErrors errors;

    SocketHandshake(RequestUpgradeStrategy upgrade, ConnectionLimits limits, ApiErrors errors) {
        super(upgrade);
        this.limits = limits;
        this.errors = errors;
    }

    @Override
    public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
        if (offersKeyAlone(exchange.getRequest().getHeaders())) {
            return this.errors.write(exchange, HttpStatus.BAD_REQUEST, ErrorCode.INVALID_REQUEST,
                    KEY_WITHOUT_SUBPROTOCOL, null);
        }
        Runnable release = this.limits.openStream().orElse(null);
        if (release == null) {
            return this.errors.write(exchange, HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.QUEUE_FULL,
                    ConnectionLimits.STREAMS_FULL, Duration.ofSeconds(1));
        }
        Connection connection = StreamedBody.connection(exchange.getResponse());
        // A socket's connection lives as long as the socket: its close (by either side, on an error, on eviction)
        // ends the stream. A refused handshake ends it at once, as its connection may go on serving requests.
        connection.channel().closeFuture().addListener((future) -> release.run());
        return Callers.of(exchange)
            .flatMap((caller) -> super.handleRequest(exchange, handler)
                .contextWrite((context) -> context.put(CONNECTION, connection).put(CALLER, caller)))
            .doOnError((ex) -> release.run())
            .doOnCancel(release);
    }

    /**
     * Whether the handshake offers a key as a subprotocol but not {@code /ws}'s own: the answer must name one of the
     * offered subprotocols (a browser fails the handshake otherwise), and it never names the key.
     */
    private static boolean offersKeyAlone(HttpHeaders headers) {
        boolean key = false;
        for (String value : headers.getOrEmpty(CredentialsConverter.SEC_WEBSOCKET_PROTOCOL)) {
            for (String protocol : value.split(",")) {
                String trimmed = protocol.trim();
                if (trimmed.equals(GatewaySocket.SUBPROTOCOL)) {
                    return false;
                }
                key |= trimmed.startsWith(CredentialsConverter.KEY_SUBPROTOCOL_PREFIX);
            }
        }
        return key;
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
