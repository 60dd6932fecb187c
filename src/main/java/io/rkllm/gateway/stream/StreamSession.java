package io.rkllm.gateway.stream;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rkllm.gateway.nativebridge.FinishReason;
import io.rkllm.gateway.nativebridge.NativeRun;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.RunResult;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.stream.StreamChunk.ChunkError;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.publisher.Sinks.EmitResult;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One inference request and its output. The session owns its sink: output chunks are kept (up to the replay limit)
 * and replayed to every subscriber, however late, so subscribers, reconnects and polls all see the same numbered
 * chunks. Appending never waits for a subscriber: a slow one lags behind in the replay buffer on its own. State
 * changes go through the same sink, in order with the chunks; they all precede the first chunk, so they never take
 * a kept chunk's place.
 */
public final class StreamSession {

    private static final Logger logger = LoggerFactory.getLogger(StreamSession.class);

    private static final SecureRandom random = new SecureRandom();

    private final String id;

    private final @Nullable RunRequest request;

    private final @Nullable Object requestId;

    private final String transport;

    private final Caller owner;

    private final Instant created;

    private final Clock clock;

    private final int replayLimit;

    /** Orders every emission: the native thread, the worker and client calls all append through it. */
    private final Object lock = new Object();

    private final ArrayDeque<StreamChunk> history = new ArrayDeque<>();

    private final Sinks.Many<StreamEvent> sink;

    private final AtomicInteger subscribers = new AtomicInteger();

    private final CompletableFuture<StreamChunk> end = new CompletableFuture<>();

    private SessionState state;

    private long nextSeq;

    private @Nullable Integer queuePosition;

    /** Whether the session waits for its model to be loaded (it is queued, without a position yet). */
    private boolean loading;

    /** The model the run is for, once its lease is known; null for synthetic streams. */
    private volatile @Nullable ModelLease lease;

    private @Nullable StatusEvent lastStatus;

    private long pollCursor;

    /** The finish reason an abort asked for ({@code aborted}, {@code evicted}), and why, when not the client. */
    private @Nullable String abortReason;

    private @Nullable String abortCause;

    private boolean hasText;

    private volatile @Nullable NativeRun run;

    /** Where aborts go when another process runs this session (a shared run); null for a run of this process. */
    private volatile @Nullable RemoteRun remote;

    private volatile Instant lastActivity;

    StreamSession(@Nullable RunRequest request, @Nullable Object requestId, String transport, Caller owner,
            SessionState initial, Clock clock, int replayLimit) {
        this(newId(), clock.instant(), request, requestId, transport, owner, initial, clock, replayLimit);
    }

    /** A session with a given id and creation time: the local side of a session that gateways share. */
    StreamSession(String id, Instant created, @Nullable RunRequest request, @Nullable Object requestId,
            String transport, Caller owner, SessionState initial, Clock clock, int replayLimit) {
        this.id = id;
        this.request = request;
        this.requestId = requestId;
        this.transport = transport;
        this.owner = owner;
        this.state = initial;
        this.clock = clock;
        this.created = created;
        this.lastActivity = this.created;
        this.replayLimit = replayLimit;
        this.sink = Sinks.many().replay().limit(replayLimit);
    }

    private static String newId() {
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    public String id() {
        return this.id;
    }

    /** The JSON-RPC id of the call that started the session, if it had one. */
    public @Nullable Object requestId() {
        return this.requestId;
    }

    /** How the session was started ({@code rpc}, {@code rpc-sse}, {@code test}, ...). */
    public String transport() {
        return this.transport;
    }

    /** Who started the session: its key owns it, and its client's limits count it. */
    public Caller owner() {
        return this.owner;
    }

    public Instant created() {
        return this.created;
    }

    /** The last time a client named or watched this session. */
    public Instant lastActivity() {
        return this.lastActivity;
    }

    public int subscribers() {
        return this.subscribers.get();
    }

    public SessionState state() {
        synchronized (this.lock) {
            return this.state;
        }
    }

    /** The sequence number the next chunk will carry. */
    public long nextSeq() {
        synchronized (this.lock) {
            return this.nextSeq;
        }
    }

    /** The seq of the oldest chunk still kept: chunks before it fell out of the replay window. */
    public long firstKeptSeq() {
        synchronized (this.lock) {
            return oldestKept();
        }
    }

    private long oldestKept() {
        StreamChunk oldest = this.history.peekFirst();
        return (oldest != null) ? oldest.seq() : this.nextSeq;
    }

    /** 1-based place in the inference queue, while queued. */
    public @Nullable Integer queuePosition() {
        synchronized (this.lock) {
            return this.queuePosition;
        }
    }

    /** Whether the session waits for its model to be loaded. */
    public boolean loading() {
        synchronized (this.lock) {
            return this.loading;
        }
    }

    /** The id of the model the run is for; null for a stream that needs no model. */
    public @Nullable String model() {
        ModelLease held = this.lease;
        return (held != null) ? held.modelId() : null;
    }

    /** Completes with the end chunk. */
    public CompletableFuture<StreamChunk> end() {
        return this.end;
    }

    @Nullable RunRequest request() {
        return this.request;
    }

    @Nullable ModelLease lease() {
        return this.lease;
    }

    void bind(ModelLease modelLease) {
        this.lease = modelLease;
    }

    /** Marks a client call that named this session. */
    void touch() {
        this.lastActivity = this.clock.instant();
    }

    /**
     * Whether nobody watched or named the session for {@code timeout}. A queued session is never idle: its client
     * waits for its turn, bounded by the queue's max wait, and its idle clock starts when it leaves the queue.
     */
    boolean isIdle(Instant now, Duration timeout) {
        return this.subscribers.get() == 0 && state() != SessionState.QUEUED
                && !this.lastActivity.plus(timeout).isAfter(now);
    }

    /**
     * Everything this session says from the chunk after {@code afterSeq} on (-1 for all): the current state, every
     * kept chunk, then live chunks and state changes, completing after the end chunk. A resume point older than the
     * kept history starts with a {@link ReplayGapEvent}. While subscribed, the session is not idle.
     */
    public Flux<StreamEvent> events(long afterSeq) {
        return new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super StreamEvent> actual) {
                actual.onSubscribe(subscriber(actual, afterSeq));
            }
        };
    }

    private SessionSubscriber subscriber(CoreSubscriber<? super StreamEvent> actual, long afterSeq) {
        synchronized (this.lock) {
            List<StreamEvent> head = new ArrayList<>(2);
            long oldest = oldestKept();
            if (afterSeq < oldest - 1) {
                head.add(new ReplayGapEvent("chunks " + (afterSeq + 1) + " to " + (oldest - 1)
                        + " are no longer kept (rkllm.streams.replay-limit is " + this.replayLimit + ")", oldest));
            }
            if (this.state.isActive()) {
                head.add(new StatusEvent(this.state, this.queuePosition, this.loading ? true : null));
            }
            SessionSubscriber subscriber = new SessionSubscriber(actual, this, head.toArray(StreamEvent[]::new),
                    afterSeq, this.lastStatus);
            // Subscribed to the sink at once, not once the head is consumed: a subscriber without demand keeps its
            // place in the replay buffer instead of joining later and silently missing what was emitted meanwhile.
            this.sink.asFlux().subscribe(subscriber);
            this.subscribers.incrementAndGet();
            return subscriber;
        }
    }

    /** A subscriber of {@link #events} went: the session may become idle from now. */
    void subscriberLeft() {
        this.subscribers.decrementAndGet();
        touch();
    }

    /**
     * The chunks from {@code sinceSeq} on (inclusive), or, without it, those after the ones the previous poll
     * returned; the cursor moves past what is returned. When chunks asked for are no longer kept, the answer says
     * which is the oldest one still kept.
     */
    public Poll poll(@Nullable Long sinceSeq) {
        synchronized (this.lock) {
            long from = (sinceSeq != null) ? sinceSeq : this.pollCursor;
            long oldest = oldestKept();
            Long firstSeq = (from < oldest) ? oldest : null;
            List<StreamChunk> fresh = new ArrayList<>();
            for (StreamChunk chunk : this.history) {
                if (chunk.seq() >= from) {
                    fresh.add(chunk);
                }
            }
            long next = fresh.isEmpty() ? Math.max(from, 0) : fresh.get(fresh.size() - 1).seq() + 1;
            this.pollCursor = next;
            return new Poll(this.id, this.state, fresh, merge(fresh), next, firstSeq);
        }
    }

    private static @Nullable StreamChunk merge(List<StreamChunk> fresh) {
        if (fresh.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        fresh.forEach((chunk) -> text.append(chunk.delta()));
        StreamChunk last = fresh.get(fresh.size() - 1);
        return new StreamChunk(last.seq(), text.toString(), last.end(), last.finishReason(), last.reason(),
                last.perf(), last.error());
    }

    void markQueued(int position) {
        synchronized (this.lock) {
            if (this.state == SessionState.QUEUED && (this.loading || !Objects.equals(this.queuePosition, position))) {
                this.loading = false;
                this.queuePosition = position;
                emitStatus(new StatusEvent(SessionState.QUEUED, position));
            }
        }
    }

    /** A queued session waits for its model to be loaded before it takes a place in the model's queue. */
    void markLoading() {
        synchronized (this.lock) {
            if (this.state == SessionState.QUEUED && !this.loading) {
                this.loading = true;
                emitStatus(new StatusEvent(SessionState.QUEUED, null, true));
            }
        }
    }

    /** Moves a queued session to running; false when it ended meanwhile. */
    boolean markRunning() {
        synchronized (this.lock) {
            if (this.state != SessionState.QUEUED) {
                return false;
            }
            this.state = SessionState.RUNNING;
            this.queuePosition = null;
            this.loading = false;
            touch();
            emitStatus(new StatusEvent(SessionState.RUNNING, null));
            return true;
        }
    }

    void attach(NativeRun nativeRun) {
        this.run = nativeRun;
    }

    void attach(RemoteRun remoteRun) {
        String reason;
        String cause;
        synchronized (this.lock) {
            this.remote = remoteRun;
            reason = this.state.isActive() ? null : this.abortReason;
            cause = this.abortCause;
        }
        if (reason != null) {
            // Aborted before its run was queued (its client went during the submit): the run must not wait for nobody.
            // Off this thread, as every abort that may reach the shared store: it may be that store's own.
            Schedulers.boundedElastic().schedule(() -> remoteRun.abort(reason, cause));
        }
    }

    /**
     * Takes a chunk that another process numbered (a shared run's log): one already taken is ignored, and the end
     * chunk ends the session in the state its finish reason says.
     */
    void mirror(StreamChunk chunk) {
        synchronized (this.lock) {
            if (!this.state.isActive() || chunk.seq() < this.nextSeq) {
                return;
            }
            this.nextSeq = chunk.seq() + 1;
            if (!chunk.end()) {
                this.hasText = true;
                emitChunk(chunk);
                return;
            }
            close(switch (String.valueOf(chunk.finishReason())) {
                case "stop", "length" -> SessionState.FINISHED;
                case "aborted" -> SessionState.ABORTED;
                case "evicted" -> SessionState.EVICTED;
                default -> SessionState.FAILED;
            }, chunk);
        }
    }

    /**
     * Appends decoded text, on the native callback thread; empty text (half a character) makes no chunk.
     *
     * @return whether this was the session's first text
     */
    boolean append(String delta) {
        if (delta.isEmpty()) {
            return false;
        }
        synchronized (this.lock) {
            if (!this.state.isActive()) {
                return false;
            }
            boolean first = !this.hasText;
            this.hasText = true;
            emitChunk(StreamChunk.delta(this.nextSeq++, delta));
            return first;
        }
    }

    /**
     * Asks the session to stop: a queued one ends at once, a running one once {@code rkllm_run} returned. The end
     * chunk then says {@code finishReason}, and {@code cause} as its reason when one is given.
     *
     * @return false when the session had already ended
     */
    boolean requestAbort(String finishReason, @Nullable String cause) {
        NativeRun nativeRun;
        RemoteRun remoteRun;
        synchronized (this.lock) {
            if (!this.state.isActive()) {
                return false;
            }
            this.abortReason = finishReason;
            this.abortCause = cause;
            nativeRun = this.run;
            remoteRun = this.remote;
            if (nativeRun == null && remoteRun == null) {
                end(abortedState(), finishReason, null, null);
                return true;
            }
        }
        if (remoteRun != null) {
            // The end chunk comes back through the shared log, the same on every gateway.
            remoteRun.abort(finishReason, cause);
        }
        else if (nativeRun != null) {
            nativeRun.abort();
        }
        return true;
    }

    /** Ends the session with what {@code rkllm_run} returned. */
    void finish(RunResult result) {
        synchronized (this.lock) {
            switch (result.finishReason()) {
                case STOP, LENGTH -> end(SessionState.FINISHED, wireName(result.finishReason()), result, null);
                case ABORTED -> end(abortedState(), (this.abortReason != null) ? this.abortReason : "aborted", result,
                        null);
                case ERROR -> end(SessionState.FAILED, "error", result, ChunkError.of(ErrorCode.INFERENCE_FAILED,
                        Objects.requireNonNullElse(result.error(), "the inference failed")));
            }
        }
    }

    /** Ends the session as failed before or instead of a run. */
    void fail(ErrorCode code, String message) {
        synchronized (this.lock) {
            end(SessionState.FAILED, "error", null, ChunkError.of(code, message));
        }
    }

    private SessionState abortedState() {
        return "evicted".equals(this.abortReason) ? SessionState.EVICTED : SessionState.ABORTED;
    }

    private static String wireName(FinishReason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    private void end(SessionState finalState, String finishReason, @Nullable RunResult result,
            @Nullable ChunkError error) {
        if (!this.state.isActive()) {
            return;
        }
        String reason = (finalState == SessionState.ABORTED || finalState == SessionState.EVICTED) ? this.abortCause
                : null;
        close(finalState, new StreamChunk(this.nextSeq++, "", true, finishReason, reason,
                (result != null) ? result.perf() : null, error));
    }

    private void close(SessionState finalState, StreamChunk last) {
        this.state = finalState;
        this.queuePosition = null;
        emitChunk(last);
        check("the completion", this.sink.tryEmitComplete());
        this.end.complete(last);
    }

    private void emitChunk(StreamChunk chunk) {
        this.history.addLast(chunk);
        if (this.history.size() > this.replayLimit) {
            this.history.removeFirst();
        }
        check(chunk, this.sink.tryEmitNext(chunk));
    }

    private void emitStatus(StatusEvent status) {
        this.lastStatus = status;
        check(status, this.sink.tryEmitNext(status));
    }

    /**
     * Takes the event itself, not a message about it: this runs for every token on the native callback thread and for
     * every position update, and a message built before the check showed up in the NPU's idle time between runs.
     */
    private void check(Object what, EmitResult result) {
        if (result.isFailure()) {
            logger.warn("Session {}: {} not emitted ({})", this.id, what, result);
        }
    }

    /**
     * What a poll returns.
     *
     * @param chunk the new chunks merged into one, null when there are none
     * @param nextSeq the sequence number to poll from next
     * @param firstSeq present only when chunks asked for are no longer kept: the oldest chunk still kept
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Poll(String sessionId, SessionState state, List<StreamChunk> chunks, @Nullable StreamChunk chunk,
            long nextSeq, @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Long firstSeq) {
    }

}
