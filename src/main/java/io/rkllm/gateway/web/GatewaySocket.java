package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.Map;

import io.rkllm.gateway.rpc.JsonRpcDispatcher;
import io.rkllm.gateway.security.ApiErrors;
import io.rkllm.gateway.security.ConnectionLimits;
import io.rkllm.gateway.security.SocketLogin;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import reactor.netty.http.server.WebsocketServerSpec;
import tools.jackson.databind.ObjectMapper;

/** The WebSocket endpoint {@code /ws} and the upgrade that bounds its frames. */
public final class GatewaySocket {

    /**
     * The subprotocol of {@code /ws}, which the service answers with when the client offers it: a browser that offers
     * its key as a {@code bearer.<key>} subprotocol offers this one with it, as a handshake must name one of them.
     */
    public static final String SUBPROTOCOL = "rkllm.jsonrpc";

    private GatewaySocket() {
    }

    /**
     * Maps {@code /ws}, ahead of the static resources (whose {@code /**} would take it otherwise).
     *
     * @param maxPendingFrames frames waiting for one socket at most before it is closed with 1008
     * @param heartbeat how often a socket is pinged
     * @param login the key of a socket whose handshake carried none, from its first message
     * @param authTimeout how long such a socket has to send that message
     */
    public static HandlerMapping mapping(JsonRpcDispatcher dispatcher, ObjectMapper mapper, int maxPendingFrames,
            Duration heartbeat, SocketLogin login, Duration authTimeout) {
        return new SimpleUrlHandlerMapping(Map.of("/ws",
                new JsonRpcSocket(dispatcher, mapper, maxPendingFrames, heartbeat, login, authTimeout)), -1);
    }

    /**
     * WebSocket upgrades on Reactor Netty whose frame decoder refuses a frame (and an aggregated fragmented message)
     * over {@code maxFrame} by closing the socket with 1009, before any of it reaches the application.
     *
     * @param limits counts each socket against {@code rkllm.limits.max-streams}
     * @param errors writes the refusals of handshakes
     */
    public static WebSocketService service(DataSize maxFrame, ConnectionLimits limits, ApiErrors errors) {
        int limit = (int) Math.min(maxFrame.toBytes(), Integer.MAX_VALUE);
        return new SocketHandshake(new ReactorNettyRequestUpgradeStrategy(
                () -> WebsocketServerSpec.builder().maxFramePayloadLength(limit)), limits, errors);
    }

}
