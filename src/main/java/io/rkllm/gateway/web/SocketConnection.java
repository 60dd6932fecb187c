package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.rkllm.gateway.rpc.JsonRpcNotification;
import io.rkllm.gateway.stream.SessionStream;
import io.rkllm.gateway.stream.StatusEvent;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamEvent;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.ObjectMapper;

/**
 * One WebSocket's outbound side and the sessions it reads. Every frame for the client (answers, notifications) goes
 * through one queue, filled from any thread and drained, encoded and written on the socket's own event loop. A pushed
 * session is read with a window, as an SSE response reads it: at most {@value #WINDOW} of its events wait here, and a
 * socket that falls behind lags in the session's replay buffer, so neither a fast run nor the replay of a long one
 * floods the queue, and the native thread only ever hands an event over. A socket more than
 * {@code rkllm.ws.max-pending-frames} frames behind (queued here, or still in a session it pushes, looked at every
 * heartbeat) is closed with 1008. When the socket goes, for whatever reason, the runs started on it are aborted (their
 * events are cancelled) and the sessions it only read are left alone.
 */
final class SocketConnection {

    private static final Logger logger = LoggerFactory.getLogger(SocketConnection.class);

    /** Events of one pushed session taken ahead of the socket's writer. */
    static final int WINDOW = 256;

    private static final CloseStatus TOO_SLOW = CloseStatus.POLICY_VIOLATION
        .withReason("client does not read (rkllm.ws.max-pending-frames)");

    private final WebSocketSession socket;

    private final Executor loop;

    private final ObjectMapper mapper;

    private final int maxPending;

    private final Duration heartbeat;

    /**
     * Multi-producer: its queue is an MPSC queue and its drain is guarded by a work-in-progress counter, so concurrent
     * emitters never fail with {@code FAIL_NON_SERIALIZED} (which the serialized {@code Sinks.many()} would return to
     * the loser of a race, on the native thread). Frames wait in it before the socket's writer subscribes, too.
     */
    private final Sinks.Many<Object> outbox = Sinks.unsafe()
        .many()
        .unicast()
        .onBackpressureBuffer(Queues.unboundedMultiproducer().get());

    /** Frames enqueued and not yet handed to the socket's writer. */
    private final AtomicInteger pending = new AtomicInteger();

    private final AtomicBoolean overflowed = new AtomicBoolean();

    private final Sinks.Empty<Void> overflow = Sinks.empty();

    /** The runs started on this socket, held until they end or the socket goes. */
    private final Disposable.Composite holds = Disposables.composite();

    /** The sessions whose events this socket pushes, by id. */
    private final Map<String, Follow> follows = new ConcurrentHashMap<>();

    private volatile boolean released;

    /**
     * @param loop the socket's event loop
     */
    SocketConnection(WebSocketSession socket, Executor loop, ObjectMapper mapper, int maxPending, Duration heartbeat) {
        this.socket = socket;
        this.loop = loop;
        this.mapper = mapper;
        this.maxPending = maxPending;
        this.heartbeat = heartbeat;
    }

    /**
     * What the socket writes: the enqueued frames, encoded on the socket's event loop, and a ping every heartbeat;
     * ends (dropping what still waits) once the client is too far behind.
     */
    Flux<WebSocketMessage> frames() {
        Flux<WebSocketMessage> messages = this.outbox.asFlux()
            .publishOn(Schedulers.fromExecutor(this.loop))
            .map(this::encode);
        Flux<WebSocketMessage> pings = Flux.interval(this.heartbeat, this.heartbeat).map((tick) -> {
            checkLag();
            return this.socket.pingMessage((buffers) -> buffers.allocateBuffer(0));
        });
        return messages.mergeWith(pings).takeUntilOther(this.overflow.asMono());
    }

    /** After the frames ended: the close for a client that fell too far behind, nothing otherwise. */
    Mono<Void> closeIfOverflowed() {
        return this.overflowed.get() ? this.socket.close(TOO_SLOW) : Mono.empty();
    }

    /** On the event loop: a frame leaves for the socket's writer. */
    private WebSocketMessage encode(Object frame) {
        this.pending.decrementAndGet();
        Object body = frame;
        if (frame instanceof Pushed pushed) {
            pushed.follow().written();
            body = pushed.notification();
        }
        byte[] json = this.mapper.writeValueAsBytes(body);
        return new WebSocketMessage(WebSocketMessage.Type.TEXT, this.socket.bufferFactory().wrap(json));
    }

    /** Enqueues a frame for the client; never waits. */
    void send(Object frame) {
        if (this.released) {
            return;
        }
        if (this.pending.incrementAndGet() > this.maxPending) {
            overflow();
            return;
        }
        // Fails only once the frames ended (the socket is going): nothing is lost that anybody would read.
        this.outbox.tryEmitNext(frame);
    }

    private void checkLag() {
        for (Follow follow : this.follows.values()) {
            if (follow.lag() > this.maxPending) {
                overflow();
                return;
            }
        }
    }

    private void overflow() {
        if (this.overflowed.compareAndSet(false, true)) {
            logger.info("WebSocket {}: over {} frames behind (rkllm.ws.max-pending-frames); closing it (1008)",
                    this.socket.getId(), this.maxPending);
            release();
            this.overflow.tryEmitEmpty();
        }
    }

    /**
     * Holds a run started on this socket until it ends: the socket's going cancels its events, which aborts it.
     */
    void hold(SessionStream started) {
        Disposable.Swap slot = Disposables.swap();
        // False when the socket went meanwhile: the composite disposed the slot, and so the subscription below.
        this.holds.add(slot);
        slot.update(started.events()
            .ignoreElements()
            .doFinally((signal) -> this.holds.remove(slot))
            .subscribe(null, failed(started.id())));
    }

    /**
     * Registers a session to push from {@code fromSeq} on; {@code start} begins the pushing once the caller may get
     * notifications (after the answer to the call that asked for them). A resume point older than the replay window
     * shows in the answer's {@code next_seq} and in the first chunk's seq, so the warning event is not pushed.
     *
     * @return completes once the session's end is enqueued or the pushing stopped; empty when this socket already
     * pushes that session
     */
    Optional<Mono<Void>> follow(SessionStream reader, long fromSeq, Consumer<Runnable> start) {
        Follow follow = new Follow(reader, fromSeq);
        if (this.follows.putIfAbsent(reader.id(), follow) != null) {
            return Optional.empty();
        }
        if (this.released) {
            follow.dispose();
            follow.done.tryEmitEmpty();
        }
        else {
            start.accept(follow::start);
        }
        return Optional.of(follow.done.asMono());
    }

    OptionalLong unfollow(String sessionId) {
        Follow follow = this.follows.remove(sessionId);
        if (follow == null) {
            return OptionalLong.empty();
        }
        follow.dispose();
        return OptionalLong.of(follow.nextSeq);
    }

    /** The socket went (or fell too far behind): aborts the runs started on it, stops reading the others. */
    void release() {
        if (this.released) {
            return;
        }
        this.released = true;
        this.holds.dispose();
        this.follows.values().forEach(Follow::dispose);
        this.follows.clear();
    }

    private static Consumer<Throwable> failed(String sessionId) {
        return (ex) -> logger.error("Reading session {} for a WebSocket failed", sessionId, ex);
    }

    /** A notification of a pushed session, on its way to the writer. */
    private record Pushed(Follow follow, JsonRpcNotification notification) {
    }

    /**
     * A session whose events this socket pushes, read {@value #WINDOW} events ahead of the writer: each frame the
     * writer takes lets one more in.
     */
    private final class Follow extends BaseSubscriber<StreamEvent> {

        private final SessionStream reader;

        private final Sinks.Empty<Void> done = Sinks.empty();

        /** The seq of the first chunk not pushed yet. */
        private volatile long nextSeq;

        /** Frames written since demand was last renewed; on the event loop only. */
        private int written;

        Follow(SessionStream reader, long fromSeq) {
            this.reader = reader;
            this.nextSeq = fromSeq;
        }

        void start() {
            this.reader.events().subscribe(this);
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(WINDOW);
        }

        @Override
        protected void hookOnNext(StreamEvent event) {
            String id = this.reader.id();
            if (event instanceof StreamChunk chunk) {
                send(new Pushed(this, JsonRpcNotification.chunk(id, chunk)));
                this.nextSeq = chunk.seq() + 1;
            }
            else if (event instanceof StatusEvent status) {
                send(new Pushed(this, JsonRpcNotification.status(id, status)));
            }
            else {
                request(1);
            }
        }

        /** On the event loop: the writer took one of this session's frames. */
        void written() {
            if (++this.written == WINDOW / 2) {
                this.written = 0;
                request(WINDOW / 2);
            }
        }

        /** How many chunks the session has made that the socket has not taken yet. */
        long lag() {
            return this.reader.session().nextSeq() - this.nextSeq;
        }

        @Override
        protected void hookOnError(Throwable ex) {
            failed(this.reader.id()).accept(ex);
        }

        @Override
        protected void hookFinally(SignalType type) {
            SocketConnection.this.follows.remove(this.reader.id(), this);
            this.done.tryEmitEmpty();
        }

    }

}
