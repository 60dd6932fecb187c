package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.rkllm.gateway.rpc.JsonRpcDispatcher;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Json;
import io.rkllm.gateway.rpc.JsonRpcResponse;
import io.rkllm.gateway.rpc.RpcContext;
import io.rkllm.gateway.security.SocketLogin;
import io.rkllm.gateway.stream.Caller;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code /ws}: JSON-RPC 2.0 over a WebSocket. Each text frame is a request or a batch for the same dispatcher as
 * {@code /rpc}, answered in a frame of its own; the chunks and state changes of the sessions started or subscribed to
 * on the socket arrive as {@code rkllm_stream} and {@code rkllm_status} notifications. A binary frame closes the
 * socket with 1003; a message over {@code rkllm.limits.max-request-bytes}, in one frame or several, closes it with 1009.
 * With API keys set, a socket whose handshake carried none must send an {@code auth} request with its key first,
 * within {@code rkllm.ws.auth-timeout}, or is closed with 1008.
 */
final class JsonRpcSocket implements WebSocketHandler {

    private static final Logger logger = LoggerFactory.getLogger(JsonRpcSocket.class);

    /**
     * Calls of one socket answered at once: a blocking {@code rkllm_run} must not hold up an {@code rkllm_abort} sent
     * after it. Past this many open calls the socket is read no further until one answers.
     */
    private static final int CONCURRENT_CALLS = 64;

    /** The method of the first message in which a socket opened without a key presents one. */
    static final String AUTH = "auth";

    private static final CloseStatus KEY_REQUIRED = CloseStatus.POLICY_VIOLATION
        .withReason("an API key is required: send auth with params.api_key first, or offer a bearer.<key> subprotocol");

    private static final CloseStatus KEY_INVALID = CloseStatus.POLICY_VIOLATION.withReason("the API key is not valid");

    private static final CloseStatus KEY_LATE = CloseStatus.POLICY_VIOLATION
        .withReason("no auth message within rkllm.ws.auth-timeout");

    private static final CloseStatus BINARY_REFUSED = CloseStatus.NOT_ACCEPTABLE
        .withReason("binary frames are not accepted; send JSON-RPC requests as text");

    private final JsonRpcDispatcher dispatcher;

    private final ObjectMapper mapper;

    private final int maxPendingFrames;

    private final Duration heartbeat;

    private final SocketLogin login;

    private final Duration authTimeout;

    JsonRpcSocket(JsonRpcDispatcher dispatcher, ObjectMapper mapper, int maxPendingFrames, Duration heartbeat,
            SocketLogin login, Duration authTimeout) {
        this.dispatcher = dispatcher;
        this.mapper = mapper;
        this.maxPendingFrames = maxPendingFrames;
        this.heartbeat = heartbeat;
        this.login = login;
        this.authTimeout = authTimeout;
    }

    @Override
    public List<String> getSubProtocols() {
        return List.of(GatewaySocket.SUBPROTOCOL);
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
        Identity identity = new Identity(caller, this.login.required(caller));
        Disposable deadline = identity.pending ? Mono.delay(this.authTimeout)
            .filter((tick) -> identity.pending)
            .flatMap((tick) -> socket.close(KEY_LATE))
            .subscribe() : Disposables.disposed();
        // The writer first: answers to the first frames must find it subscribed.
        Mono<Void> output = socket.send(connection.frames()).then(Mono.defer(connection::closeIfOverflowed));
        // Asking for the messages puts Netty's frame aggregator in the pipeline; the oversize close goes after it.
        Flux<WebSocketMessage> messages = socket.receive();
        netty.addHandlerLast(OversizeClose.NAME, new OversizeClose());
        Mono<Void> input = messages
            .flatMap((message) -> receive(socket, connection, identity, message), CONCURRENT_CALLS)
            .then();
        return Mono.when(output, input).doFinally((signal) -> {
            deadline.dispose();
            connection.release();
            logger.debug("WebSocket {} closed ({})", socket.getId(), signal);
        });
    }

    private Mono<Void> receive(WebSocketSession socket, SocketConnection connection, Identity identity,
            WebSocketMessage message) {
        return switch (message.getType()) {
            case TEXT -> {
                byte[] frame = bytes(message.getPayload());
                // Frames are taken in order, one at a time, so the first is settled before the second is looked at.
                if (identity.first) {
                    identity.first = false;
                    Auth auth = Auth.of(this.mapper, frame);
                    if (auth != null) {
                        yield authenticate(socket, connection, identity, auth);
                    }
                    if (identity.pending) {
                        yield socket.close(KEY_REQUIRED);
                    }
                }
                yield call(connection, identity.caller, frame);
            }
            case BINARY -> socket.close(BINARY_REFUSED);
            // Pongs answer the heartbeat's pings; Netty answers the client's pings itself.
            case PING, PONG -> Mono.empty();
        };
    }

    /**
     * The first message, an {@code auth}: a socket without a key becomes its key's, or is closed; one that has its
     * caller already (a keyed handshake, a service without keys) keeps it. The answer names the caller.
     */
    private Mono<Void> authenticate(WebSocketSession socket, SocketConnection connection, Identity identity,
            Auth auth) {
        if (identity.pending) {
            Caller caller = (auth.key() != null) ? this.login.login(identity.caller, auth.key()).orElse(null) : null;
            if (caller == null) {
                return socket.close(KEY_INVALID);
            }
            identity.caller = caller;
            identity.pending = false;
        }
        if (auth.id() != null) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("key_name", identity.caller.keyName());
            result.put("role", identity.caller.admin() ? "admin" : "client");
            connection.send(JsonRpcResponse.result(auth.id(), result));
        }
        return Mono.empty();
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

    /** Who the socket's calls are of, and whether that is settled yet. */
    private static final class Identity {

        volatile Caller caller;

        /** Whether the socket must still present a key: no call is made until it has. */
        volatile boolean pending;

        /** Whether the next text frame is the socket's first; on the socket's inbound thread only. */
        boolean first = true;

        Identity(Caller caller, boolean pending) {
            this.caller = caller;
            this.pending = pending;
        }

    }

    /**
     * An {@code auth} request: {@code {"jsonrpc":"2.0","id":…,"method":"auth","params":{"api_key":"…"}}}.
     *
     * @param id null for a notification, which is not answered
     * @param key null when the params hold no text {@code api_key}
     */
    private record Auth(@Nullable JsonNode id, @Nullable String key) {

        /** The frame as an {@code auth} request; null when it is anything else. */
        static @Nullable Auth of(ObjectMapper mapper, byte[] frame) {
            JsonNode request;
            try {
                request = mapper.readTree(frame);
            }
            catch (JacksonException ex) {
                return null;
            }
            JsonNode method = request.path("method");
            if (!request.isObject() || !method.isString() || !AUTH.equals(method.stringValue())) {
                return null;
            }
            JsonNode key = request.path("params").path("api_key");
            return new Auth(request.get("id"), key.isString() ? key.stringValue() : null);
        }

    }

    private static byte[] bytes(DataBuffer payload) {
        byte[] bytes = new byte[payload.readableByteCount()];
        payload.read(bytes);
        return bytes;
    }

}
