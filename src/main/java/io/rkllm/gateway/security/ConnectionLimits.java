package io.rkllm.gateway.security;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Bounds the server's sockets with Reactor Netty's own settings and a few pipeline handlers, so that a flood of
 * connections never silences health or running streams: an idle timeout for connections that send no request, a
 * deadline for a request's headers and one for its body, a read timeout for bodies that stall, a cap on open
 * connections and a separate cap on streams (SSE responses, WebSockets) that are not counted against it. Past the
 * connection cap a new connection must send its request within two seconds and gets {@code 503} with
 * {@code Connection: close}, unless it is a health probe (a few at once) or opens a stream ({@code GET /streams/…}, a
 * WebSocket handshake of {@code /ws}), which the stream cap governs: a flood of sockets keeps neither probes nor a
 * reconnecting {@code EventSource} out. Those connections close after their answer (a WebSocket's, when the socket
 * closes).
 */
public final class ConnectionLimits implements NettyServerCustomizer {

    private static final Logger logger = LoggerFactory.getLogger(ConnectionLimits.class);

    /** Health probes answered at once past the connection cap; more are refused like the rest. */
    private static final int HEALTH_RESERVE = 16;

    /** How long a connection past the cap may take to send its request line and headers. */
    private static final Duration OVER_CAP_READ = Duration.ofSeconds(2);

    /** At most one warning per this long while connections are refused, with the count since the last one. */
    private static final Duration WARN_EVERY = Duration.ofSeconds(10);

    /** What a stream refused at {@code rkllm.limits.max-streams} is told, with 503 and {@code Retry-After}. */
    public static final String STREAMS_FULL = "too many open streams (rkllm.limits.max-streams); try again later";

    private static final String GATE = "rkllm.connectionGate";

    private static final String OVER_CAP_TIMEOUT = "rkllm.overCapReadTimeout";

    private static final String REQUEST_DEADLINES = "rkllm.requestDeadlines";

    private static final String REQUEST_BYTES = "rkllm.requestBytes";

    private final Settings settings;

    private final Clock clock;

    private final AtomicInteger open = new AtomicInteger();

    private final AtomicInteger streams = new AtomicInteger();

    private final AtomicInteger healthOverCap = new AtomicInteger();

    private final AtomicLong refusedSinceWarning = new AtomicLong();

    private final AtomicReference<Instant> lastWarning = new AtomicReference<>(Instant.EPOCH);

    public ConnectionLimits(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.idleTimeout(this.settings.idleTimeout())
            .readTimeout(this.settings.readTimeout())
            .doOnChannelInit((observer, channel, remote) -> opened(channel));
    }

    /**
     * Counts a stream (an SSE response, a WebSocket) against {@code rkllm.limits.max-streams}: empty when that many
     * are open (answer {@link #STREAMS_FULL} then), else the stream's release, to run when it ends by whatever path;
     * running it again does nothing, so every path may run it.
     */
    public Optional<Runnable> openStream() {
        if (this.streams.incrementAndGet() > this.settings.maxStreams()) {
            this.streams.decrementAndGet();
            refused("stream");
            return Optional.empty();
        }
        AtomicBoolean counted = new AtomicBoolean(true);
        return Optional.of(() -> {
            if (counted.compareAndSet(true, false)) {
                this.streams.decrementAndGet();
            }
        });
    }

    /** Open connections now, streams included. */
    public int openConnections() {
        return this.open.get();
    }

    private void opened(Channel channel) {
        int connections = this.open.incrementAndGet();
        channel.closeFuture().addListener((future) -> this.open.decrementAndGet());
        if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
            RequestDeadlines deadlines = new RequestDeadlines();
            channel.pipeline()
                .addBefore(NettyPipeline.HttpCodec, REQUEST_BYTES, deadlines.bytes)
                .addAfter(NettyPipeline.HttpCodec, REQUEST_DEADLINES, deadlines);
        }
        if (connections - this.streams.get() > this.settings.maxConnections()) {
            channel.pipeline().addFirst(OVER_CAP_TIMEOUT,
                    new ReadTimeoutHandler(OVER_CAP_READ.toMillis(), TimeUnit.MILLISECONDS));
            channel.pipeline().addAfter(NettyPipeline.HttpCodec, GATE, new OverCapGate());
        }
    }

    private void refused(String what) {
        long refused = this.refusedSinceWarning.incrementAndGet();
        Instant now = this.clock.instant();
        Instant last = this.lastWarning.get();
        if (now.isAfter(last.plus(WARN_EVERY)) && this.lastWarning.compareAndSet(last, now)) {
            this.refusedSinceWarning.addAndGet(-refused);
            logger.warn("Refused {} {}(s) in the last {} s: {} connections open, {} of them streams "
                    + "(rkllm.limits.max-connections {}, rkllm.limits.max-streams {})", refused, what,
                    WARN_EVERY.toSeconds(), this.open.get(), this.streams.get(), this.settings.maxConnections(),
                    this.settings.maxStreams());
        }
    }

    /**
     * The first request of a connection past the cap: a health probe is answered and the connection closed after it,
     * anything else gets 503 and the connection is closed.
     */
    private final class OverCapGate extends ChannelInboundHandlerAdapter {

        private boolean refusing;

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            if (this.refusing) {
                ReferenceCountUtil.release(message);
                return;
            }
            HttpRequest request = (message instanceof HttpRequest first) ? first : null;
            boolean health = request != null && isHealth(request.uri());
            if (health && ConnectionLimits.this.healthOverCap.incrementAndGet() <= HEALTH_RESERVE) {
                context.channel().closeFuture().addListener((future) -> ConnectionLimits.this.healthOverCap
                    .decrementAndGet());
                admit(context, request);
                return;
            }
            if (health) {
                ConnectionLimits.this.healthOverCap.decrementAndGet();
            }
            else if (request != null && isStream(request)) {
                admit(context, request);
                return;
            }
            this.refusing = true;
            ReferenceCountUtil.release(message);
            refused("connection");
            FullHttpResponse refusal = jsonError(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "too many open connections (rkllm.limits.max-connections); try again later");
            refusal.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
            context.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
        }

        /**
         * Lets the request through, to be answered once on a connection that closes after it; a WebSocket handshake
         * keeps its {@code Connection: Upgrade}, and its connection ends with the socket.
         */
        private void admit(ChannelHandlerContext context, HttpRequest request) {
            if (!isWebSocketHandshake(request)) {
                HttpUtil.setKeepAlive(request, false);
            }
            context.pipeline().remove(OVER_CAP_TIMEOUT);
            context.pipeline().remove(this);
            context.fireChannelRead(request);
        }

        /** An SSE request, or a WebSocket handshake: both count against the stream cap instead. */
        private static boolean isStream(HttpRequest request) {
            String uri = request.uri();
            if (!HttpMethod.GET.equals(request.method())) {
                return false;
            }
            boolean socket = uri.equals("/ws") || uri.startsWith("/ws?") || uri.startsWith("/ws/");
            return uri.startsWith("/streams/") || socket && isWebSocketHandshake(request);
        }

        private static boolean isWebSocketHandshake(HttpRequest request) {
            return request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        }

        private boolean isHealth(String uri) {
            String health = ConnectionLimits.this.settings.healthPath();
            return uri.equals(health) || uri.startsWith(health + "/") || uri.startsWith(health + "?");
        }

    }

    /**
     * Bounds the time from a request's first byte to the end of its headers by {@code rkllm.limits.header-timeout},
     * which Reactor Netty's idle timeout does not: that one starts again at every byte, so a client sending its
     * headers a byte at a time would hold the connection for ever. Then bounds the time from its head to the end of
     * its body by {@code rkllm.limits.request-timeout}: Reactor Netty's own request timeout belongs to the HTTP
     * exchange and outlives a WebSocket's upgrade, closing every socket that long after its handshake.
     * <p>
     * Sits behind the HTTP codec, where it sees each request's decoded head and body and the end of each answer, with
     * {@link #bytes} in front of it, where the bytes arrive: the header deadline is armed by bytes that come while no
     * request is open (before its head is decoded, or after the answer to the last one) and disarmed by the head; the
     * body deadline is armed by a head whose body is still to come and disarmed by the body's end. A WebSocket's
     * upgrade removes both, and Reactor Netty's read timeout. When one fires, the client gets 408 (unless its answer
     * has begun) and the connection is closed.
     */
    private final class RequestDeadlines extends ChannelDuplexHandler {

        /** In front of the codec: bytes of a request whose head has not been decoded yet arm the header deadline. */
        final ChannelInboundHandlerAdapter bytes = new ChannelInboundHandlerAdapter() {

            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                armHeaders();
                context.fireChannelRead(message);
            }

        };

        /** Requests whose head was read and whose answer is not complete yet; on the event loop only. */
        private int open;

        /** Whether the answer to the last request read has begun. */
        private boolean answering;

        private @Nullable ScheduledFuture<?> headers;

        private @Nullable ScheduledFuture<?> body;

        private @Nullable ChannelHandlerContext context;

        @Override
        public void handlerAdded(ChannelHandlerContext context) {
            this.context = context;
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            if (message instanceof HttpRequest) {
                this.open++;
                this.answering = false;
                this.headers = cancel(this.headers);
                if (!(message instanceof LastHttpContent)) {
                    this.body = schedule(context, ConnectionLimits.this.settings.requestTimeout(),
                            () -> expireBody(context));
                }
            }
            else if (message instanceof LastHttpContent) {
                this.body = cancel(this.body);
            }
            context.fireChannelRead(message);
        }

        @Override
        public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
            if (message instanceof HttpResponse response
                    && response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
                context.write(message, promise);
                context.pipeline().remove(this);
                context.pipeline().remove(this.bytes);
                // Reactor Netty's read timeout, like its request timeout, belongs to the HTTP exchange and would
                // close a socket that sends nothing for that long; a WebSocket's liveness is the heartbeat's.
                if (context.pipeline().get(NettyPipeline.ReadTimeoutHandler) != null) {
                    context.pipeline().remove(NettyPipeline.ReadTimeoutHandler);
                }
                return;
            }
            boolean informational = message instanceof HttpResponse response
                    && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            if (message instanceof HttpResponse && !informational) {
                this.answering = true;
            }
            if (message instanceof LastHttpContent && !informational) {
                this.open = Math.max(0, this.open - 1);
            }
            context.write(message, promise);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext context) {
            this.headers = cancel(this.headers);
            this.body = cancel(this.body);
        }

        private void armHeaders() {
            ChannelHandlerContext context = this.context;
            if (this.open == 0 && this.headers == null && context != null) {
                this.headers = schedule(context, ConnectionLimits.this.settings.headerTimeout(),
                        () -> expireHeaders(context));
            }
        }

        private @Nullable ScheduledFuture<?> schedule(ChannelHandlerContext context, Duration after, Runnable task) {
            return context.isRemoved() ? null
                    : context.executor().schedule(task, after.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void expireHeaders(ChannelHandlerContext context) {
            this.headers = null;
            if (this.open == 0 && !context.isRemoved()) {
                close(context, "the request's headers did not arrive", "rkllm.limits.header-timeout",
                        ConnectionLimits.this.settings.headerTimeout());
            }
        }

        private void expireBody(ChannelHandlerContext context) {
            this.body = null;
            if (!context.isRemoved()) {
                close(context, "the request's body did not arrive whole", "rkllm.limits.request-timeout",
                        ConnectionLimits.this.settings.requestTimeout());
            }
        }

        /** Closes the connection, after a 408 naming the setting unless the answer to its request has begun. */
        private void close(ChannelHandlerContext context, String what, String setting, Duration timeout) {
            logger.debug("Closing {}: {} within {} ({})", context.channel().remoteAddress(), what, timeout, setting);
            if (this.answering) {
                context.close();
                return;
            }
            context.writeAndFlush(jsonError(HttpResponseStatus.REQUEST_TIMEOUT, what + " within " + setting))
                .addListener(ChannelFutureListener.CLOSE);
        }

        private static @Nullable ScheduledFuture<?> cancel(@Nullable ScheduledFuture<?> deadline) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            return null;
        }

    }

    /** A JSON-RPC error answer written below the application, on a connection that closes after it. */
    private static FullHttpResponse jsonError(HttpResponseStatus status, String message) {
        byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,\"message\":\"" + message
                + "\"}}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    /**
     * @param maxConnections open connections at most, streams not counted
     * @param maxStreams open streams at most (SSE responses, WebSockets)
     * @param idleTimeout a connection that sends no request for this long is closed
     * @param readTimeout a request whose body stops arriving for this long is dropped
     * @param requestTimeout a request whose body has not arrived whole after this long is dropped
     * @param headerTimeout a request whose line and headers have not arrived whole this long after its first byte gets
     * 408 and its connection is closed
     * @param healthPath the health endpoint's path, which stays reachable past the cap
     */
    public record Settings(int maxConnections, int maxStreams, Duration idleTimeout, Duration readTimeout,
            Duration requestTimeout, Duration headerTimeout, String healthPath) {
    }

}
