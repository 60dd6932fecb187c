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
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Bounds the server's sockets with Reactor Netty's own settings and one pipeline handler, so that a flood of
 * connections never silences health or running streams: an idle timeout for connections that send no request, read
 * and request timeouts for requests that never complete, a cap on open connections and a separate cap on streams
 * (SSE responses, WebSockets) that are not counted against it. Past the connection cap a new connection must send
 * its request within two seconds and gets {@code 503} with {@code Connection: close}, unless it is a health probe
 * (a few at once) or opens a stream ({@code GET /streams/…}, a WebSocket handshake of {@code /ws}), which the
 * stream cap governs: a flood of sockets keeps neither probes nor a reconnecting {@code EventSource} out. Those
 * connections close after their answer (a WebSocket's, when the socket closes).
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
            .requestTimeout(this.settings.requestTimeout())
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
            context.writeAndFlush(tooMany()).addListener(ChannelFutureListener.CLOSE);
        }

        /**
         * Lets the request through, to be answered once on a connection that closes after it; a WebSocket handshake
         * keeps its {@code Connection: Upgrade}, and its connection ends with the socket.
         */
        private void admit(ChannelHandlerContext context, HttpRequest request) {
            if (!request.headers().contains(HttpHeaderNames.UPGRADE)) {
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
            return uri.startsWith("/streams/") || socket && request.headers()
                .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        }

        private boolean isHealth(String uri) {
            String health = ConnectionLimits.this.settings.healthPath();
            return uri.equals(health) || uri.startsWith(health + "/") || uri.startsWith(health + "?");
        }

        private FullHttpResponse tooMany() {
            byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,\"message\":\"too many open "
                    + "connections (rkllm.limits.max-connections); try again later\"}}")
                .getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.wrappedBuffer(body));
            response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.RETRY_AFTER, 1);
            return response;
        }

    }

    /**
     * @param maxConnections open connections at most, streams not counted
     * @param maxStreams open streams at most (SSE responses, WebSockets)
     * @param idleTimeout a connection that sends no request for this long is closed
     * @param readTimeout a request whose body stops arriving for this long is dropped
     * @param requestTimeout a request whose body has not arrived whole after this long is dropped
     * @param healthPath the health endpoint's path, which stays reachable past the cap
     */
    public record Settings(int maxConnections, int maxStreams, Duration idleTimeout, Duration readTimeout,
            Duration requestTimeout, String healthPath) {
    }

}
