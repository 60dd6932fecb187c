package io.rkllm.gateway.web;

import java.time.Duration;

import io.rkllm.gateway.rpc.JsonRpcDispatcher;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Json;
import io.rkllm.gateway.rpc.RpcContext;
import io.rkllm.gateway.stream.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code /ws}: JSON-RPC 2.0 over a WebSocket. Each text frame is a request or a batch for the same dispatcher as
 * {@code /rpc}, answered in a frame of its own; the chunks and state changes of the sessions started or subscribed to
 * on the socket arrive as {@code rkllm_stream} and {@code rkllm_status} notifications. A binary frame closes the
 * socket with 1003; a message over {@code rkllm.limits.max-request-bytes}, in one frame or several, closes it with 1009.
 */
final class JsonRpcSocket implements WebSocketHandler {

    private static final Logger logger = LoggerFactory.getLogger(JsonRpcSocket.class);

    /**
     * Calls of one socket answered at once: a blocking {@code rkllm_run} must not hold up an {@code rkllm_abort} sent
     * after it. Past this many open calls the socket is read no further until one answers.
     */
    private static final int CONCURRENT_CALLS = 64;

    private static final CloseStatus BINARY_REFUSED = CloseStatus.NOT_ACCEPTABLE
        .withReason("binary frames are not accepted; send JSON-RPC requests as text");

    private final JsonRpcDispatcher dispatcher;

    private final ObjectMapper mapper;

    private final int maxPendingFrames;

    private final Duration heartbeat;

    JsonRpcSocket(JsonRpcDispatcher dispatcher, ObjectMapper mapper, int maxPendingFrames, Duration heartbeat) {
        this.dispatcher = dispatcher;
        this.mapper = mapper;
        this.maxPendingFrames = maxPendingFrames;
        this.heartbeat = heartbeat;
    }

    @Override
    public Mono<Void> handle(WebSocketSession socket) {
        return Mono.deferContextual((context) -> handle(socket, SocketHandshake.connection(context),
                SocketHandshake.caller(context)));
    }

    private Mono<Void> handle(WebSocketSession socket, Connection netty, Caller caller) {
        SocketConnection connection = new SocketConnection(socket, netty.channel().eventLoop(), this.mapper,
                this.maxPendingFrames, this.heartbeat);
        logger.debug("WebSocket {} opened by {}", socket.getId(), socket.getHandshakeInfo().getRemoteAddress());
        // The writer first: answers to the first frames must find it subscribed.
        Mono<Void> output = socket.send(connection.frames()).then(Mono.defer(connection::closeIfOverflowed));
        // Asking for the messages puts Netty's frame aggregator in the pipeline; the oversize close goes after it.
        Flux<WebSocketMessage> messages = socket.receive();
        netty.addHandlerLast(OversizeClose.NAME, new OversizeClose());
        Mono<Void> input = messages
            .flatMap((message) -> receive(socket, connection, caller, message), CONCURRENT_CALLS)
            .then();
        return Mono.when(output, input).doFinally((signal) -> {
            connection.release();
            logger.debug("WebSocket {} closed ({})", socket.getId(), signal);
        });
    }

    private Mono<Void> receive(WebSocketSession socket, SocketConnection connection, Caller caller,
            WebSocketMessage message) {
        return switch (message.getType()) {
            case TEXT -> call(connection, caller, bytes(message.getPayload()));
            case BINARY -> socket.close(BINARY_REFUSED);
            // Pongs answer the heartbeat's pings; Netty answers the client's pings itself.
            case PING, PONG -> Mono.empty();
        };
    }

    private Mono<Void> call(SocketConnection connection, Caller caller, byte[] frame) {
        FramePush push = new FramePush(connection);
        return this.dispatcher.dispatch(frame, new RpcContext("ws", false, caller, push)).doOnNext((reply) -> {
            // A socket never accepts an event-stream answer, so a reply is JSON or nothing (notifications only).
            if (reply instanceof Json json) {
                connection.send(json.body());
            }
            push.answered();
        }).then();
    }

    private static byte[] bytes(DataBuffer payload) {
        byte[] bytes = new byte[payload.readableByteCount()];
        payload.read(bytes);
        return bytes;
    }

}
