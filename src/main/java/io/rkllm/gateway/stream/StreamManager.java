package io.rkllm.gateway.stream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.config.StreamsProperties;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.nativebridge.KvCachePlan;
import io.rkllm.gateway.nativebridge.NativeRun;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.SyntheticTokenSource;
import io.rkllm.gateway.nativebridge.TokenListener;
import io.rkllm.gateway.rpc.ClientErrors;
import io.rkllm.gateway.rpc.Echo;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Owns the sessions: creates them within the session limit, gets each run its model from the {@link ModelHost} and
 * puts it through that model's inference queue, finds sessions by id or by the JSON-RPC id that started them, aborts
 * and evicts them, and reports on them.
 */
public class StreamManager {

    private static final Logger logger = LoggerFactory.getLogger(StreamManager.class);

    private final ModelHost models;

    private final StreamsProperties properties;

    private final QueueProperties queueSettings;

    private final Clock clock;

    private final StreamMetrics metrics;

    /** When a busy client may try again: nobody can tell when a run ends, a second is a polite pace. */
    private static final Duration RETRY_WHEN_BUSY = Duration.ofSeconds(1);

    /**
     * How long the work that follows a hand-off of the NPU to the next queued run waits: ending the finished run's
     * session (its HTTP answer) and telling the sessions still waiting their new positions. Handed to the timer at
     * once, that work woke the timer's thread while the runtime's worker was still on its way from one
     * {@code rkllm_run} to the next, and on 2 cores the woken thread often took the worker's core for a millisecond
     * or more. Bench measurement 4 (100 queued runs) put the service's overhead at 5.2 % then and 4.1 % with this
     * wait (medians of 9 repetitions each, alternating). An answer from an NPU that takes seconds per run comes 2 ms
     * later.
     */
    private static final Duration AFTER_HAND_OVER = Duration.ofMillis(2);

    /** Paces synthetic streams and ends finished runs' sessions, one task at a time. */
    private final ScheduledExecutorService timer;

    /** One FIFO per model, by model id: each model's runtime runs one inference at a time. */
    private final Map<String, InferenceQueue> lanes = new ConcurrentHashMap<>();

    /** Sessions accepted for a model that is not loaded yet; they queue for it once it is. */
    private final Set<StreamSession> awaitingLoad = ConcurrentHashMap.newKeySet();

    /** Runs one client may have waiting in a model's queue (0: no limit). */
    private final int maxQueuedPerClient;

    private final RequestRates rates;

    private final long maxInputBytes;

    private final Map<String, StreamSession> sessions = new ConcurrentHashMap<>();

    /** By the key that started them and their request id: one key never finds another's session by its id. */
    private final Map<RequestKey, StreamSession> byRequestId = new ConcurrentHashMap<>();

    private final AtomicLong created = new AtomicLong();

    private final AtomicLong evicted = new AtomicLong();

    /** By model id; added to on the native callback thread (and the synthetic streams' thread), read at each scrape. */
    private final Map<String, LongAdder> tokens = new ConcurrentHashMap<>();

    private volatile boolean shuttingDown;

    /** The queue and session log shared with other gateways; null in the local mode. */
    private final @Nullable SharedRuns shared;

    /** A stream manager for one runtime (the service with a single model), without per-client limits. */
    public StreamManager(RkllmRuntime runtime, StreamsProperties properties, QueueProperties queue, Clock clock,
            StreamMetrics metrics, ScheduledExecutorService timer) {
        this(ModelHost.fixed(runtime), properties, queue, RunLimits.NONE, clock, metrics, timer);
    }

    /** A stream manager for one runtime with per-client limits. */
    public StreamManager(RkllmRuntime runtime, StreamsProperties properties, QueueProperties queue,
            RunLimits runLimits, Clock clock, StreamMetrics metrics, ScheduledExecutorService timer) {
        this(ModelHost.fixed(runtime), properties, queue, runLimits, clock, metrics, timer);
    }

    /** A stream manager for the models of a host, without per-client limits. */
    public StreamManager(ModelHost models, StreamsProperties properties, QueueProperties queue, Clock clock,
            StreamMetrics metrics, ScheduledExecutorService timer) {
        this(models, properties, queue, RunLimits.NONE, clock, metrics, timer);
    }

    public StreamManager(ModelHost models, StreamsProperties properties, QueueProperties queue,
            RunLimits runLimits, Clock clock, StreamMetrics metrics, ScheduledExecutorService timer) {
        this(models, properties, queue, runLimits, clock, metrics, timer, null);
    }

    /**
     * @param shared where runs queue and sessions are logged when several gateways share them; null for the local
     * mode, where this manager's own queues run them
     */
    public StreamManager(ModelHost models, StreamsProperties properties, QueueProperties queue,
            RunLimits runLimits, Clock clock, StreamMetrics metrics, ScheduledExecutorService timer,
            @Nullable SharedRuns shared) {
        this.shared = shared;
        this.models = models;
        this.properties = properties;
        this.queueSettings = queue;
        this.clock = clock;
        this.metrics = metrics;
        this.timer = timer;
        this.maxQueuedPerClient = runLimits.maxQueued();
        this.rates = new RequestRates(runLimits.requestsPerMinute(), clock);
        this.maxInputBytes = runLimits.maxInputBytes();
        tokenCount(models.defaultModel());
    }

    /**
     * Accepts a run: checked against the runtime and the caller's limits, then run at once on its model or queued
     * (until its model is loaded, then in the model's queue). Refused with -32602 for a model that does not exist or
     * an input over the size limit, -32003 when the runtime or the model is unavailable, -32002 at the session limit,
     * -32000 when the queue is full or the caller's client has used its share (with a retry hint). Nothing is checked
     * or started until the answer is subscribed to, and a refusal is its error; in the shared mode the answer comes
     * once the shared queue took the run, and cancelling it before then aborts the run. The events are the session's
     * from the start; cancelling them aborts the run, as the caller that started it is gone.
     *
     * @param transport how the run was asked for, as {@code /actuator/streams} shows it
     * @param caller who asks: the session is theirs
     * @param requestKey what {@link #findByRequestId} finds the session by (the JSON-RPC id's key), or null
     */
    public Mono<SessionStream> start(RunRequest request, String transport, Caller caller,
            @Nullable Object requestKey) {
        return Mono.defer(() -> {
            refuseWhenShuttingDown();
            refuseOversized(request);
            if (this.shared != null) {
                return startShared(this.shared, request, transport, caller, requestKey);
            }
            takeRequest(caller);
            return Mono.just(startLocal(request, transport, caller, requestKey));
        });
    }

    /** Accepts a run into this manager's own queue of its model. */
    private SessionStream startLocal(RunRequest request, String transport, Caller caller,
            @Nullable Object requestKey) {
        ModelLease lease;
        try {
            lease = this.models.acquire(request);
        }
        catch (RuntimeException ex) {
            throw ClientErrors.translate(ex, "Checking a run");
        }
        StreamSession session;
        try {
            session = register(request, requestKey, transport, caller, SessionState.QUEUED);
        }
        catch (GatewayException ex) {
            lease.release();
            throw ex;
        }
        session.bind(lease);
        try {
            admit(session, lease);
        }
        catch (GatewayException ex) {
            unregister(session);
            lease.release();
            throw ex;
        }
        session.end().whenComplete((end, error) -> lease.release());
        accept(session);
        return owned(session);
    }

    /**
     * Accepts a run into the shared queue: whichever board is free runs it, and its session here follows the shared
     * log. Which board has the model is only known when one claims it, so a model that none has fails after the
     * queue's max wait. The shared queue counts the caller's client's limits, for every gateway at once.
     */
    private Mono<SessionStream> startShared(SharedRuns runs, RunRequest request, String transport, Caller caller,
            @Nullable Object requestKey) {
        StreamSession session = register(request, requestKey, transport, caller, SessionState.QUEUED);
        session.bind(new SharedLease(SharedLease.queueOf(request)));
        return runs.submit(request, new SessionFeed(session))
            .doOnError((ex) -> unregister(session))
            .doOnCancel(() -> {
                // The client went before its run was queued: nobody has the session's id, and its job must not run.
                if (unregister(session)) {
                    abortDisconnected(session);
                }
            })
            .then(Mono.fromSupplier(() -> {
                accept(session);
                return owned(session);
            }));
    }

    /**
     * Runs here a job that this board claimed from the shared queue, for the session {@code id} that a gateway
     * accepted: the session returned is this board's side of it and is not listed among this manager's sessions.
     * Refused as {@link #start} refuses what its model cannot run.
     */
    public SessionStream runClaimed(String id, RunRequest request, Caller owner) {
        ModelLease lease;
        try {
            lease = this.models.acquire(request);
        }
        catch (RuntimeException ex) {
            throw ClientErrors.translate(ex, "Checking a claimed run");
        }
        StreamSession session = new StreamSession(id, this.clock.instant(), request, null, "cluster", owner,
                SessionState.QUEUED, this.clock, this.properties.replayLimit());
        session.bind(lease);
        try {
            admit(session, lease);
        }
        catch (GatewayException ex) {
            lease.release();
            throw ex;
        }
        session.end().whenComplete((end, error) -> lease.release());
        return new SessionStream(session, session.events(-1));
    }

    /** Aborts a run claimed from the shared queue ({@link #runClaimed}); false when it had ended. */
    public boolean abortClaimed(StreamSession session, String finishReason, @Nullable String cause) {
        return abort(session, finishReason, cause);
    }

    /** Whether no run of this manager's own queues runs, waits or waits for its model: a board may claim a job. */
    public boolean idle() {
        return this.awaitingLoad.isEmpty()
                && this.lanes.values().stream().allMatch((lane) -> lane.running() == null && lane.depth() == 0);
    }

    /** Why no run can be taken now because the shared queue is unreachable; null in the local mode. */
    public @Nullable String sharedUnavailable() {
        return (this.shared != null) ? this.shared.unavailable() : null;
    }

    /**
     * Queues a session for its model: at once when the model is loaded, else once it is; a model that fails to load
     * fails the session. Sessions waiting for a load count against the queue's capacity too.
     */
    private void admit(StreamSession session, ModelLease lease) {
        CompletableFuture<RkllmRuntime> runtime = lease.runtime();
        if (runtime.isDone() && !runtime.isCompletedExceptionally()) {
            lane(lease.modelId()).enqueue(session);
            return;
        }
        synchronized (this.awaitingLoad) {
            if (this.awaitingLoad.size() >= this.queueSettings.capacity()) {
                throw queueFull(this.queueSettings.capacity());
            }
            this.awaitingLoad.add(session);
        }
        session.markLoading();
        runtime.whenComplete((granted, error) -> {
            if (!this.awaitingLoad.remove(session)) {
                return;
            }
            if (error != null) {
                fail(session, error);
                return;
            }
            try {
                lane(lease.modelId()).enqueue(session);
            }
            catch (GatewayException ex) {
                session.fail(ex.errorCode(), ex.getMessage());
            }
        });
    }

    /** The queue of a model, made on its first run. */
    private InferenceQueue lane(String model) {
        return this.lanes.computeIfAbsent(model, (id) -> new InferenceQueue(this.queueSettings.capacity(),
                this.maxQueuedPerClient, this.queueSettings.maxWait(), this.clock, this::launch, this::afterHandOver));
    }

    /** -32000 for a full queue; the queue of a model and the sessions waiting for loads are bounded alike. */
    public static GatewayException queueFull(int capacity) {
        return new GatewayException(ErrorCode.QUEUE_FULL, "the inference queue is full (" + capacity
                + " waiting, rkllm.queue.capacity); try again later");
    }

    /**
     * Streams given text pieces into a new session through the same callback path as native results, without the NPU
     * (for {@code test_streaming_callback}); its tokens count as the default model's.
     */
    public SessionStream startSynthetic(List<String> pieces, Duration delay, Caller caller,
            @Nullable Object requestKey) {
        refuseWhenShuttingDown();
        takeRequest(caller);
        StreamSession session = register(null, requestKey, "test", caller, SessionState.RUNNING);
        accept(session);
        NativeRun run = SyntheticTokenSource.start(pieces, delay, listenerFor(session, this.models.defaultModel()),
                this.timer, CallbackObserver.NONE);
        session.attach(run);
        run.result().whenComplete((result, error) -> {
            if (error != null) {
                fail(session, error);
            }
            else {
                session.finish(result);
            }
        });
        return owned(session);
    }

    /**
     * A reader for an existing session, from the chunk after {@code afterSeq} on (-1 for all), or -32001 when there is
     * none or it is another key's. The run goes on when the reader goes.
     */
    public Mono<SessionStream> attach(String id, long afterSeq, Caller caller) {
        return require(id, caller).map((session) -> new SessionStream(session, session.events(afterSeq)));
    }

    /**
     * The one place where a caller that started a run and went away aborts it: its events' cancellation. A reader
     * that stops after the end chunk (a blocking call has its answer) finds the session ended and aborts nothing.
     */
    private SessionStream owned(StreamSession session) {
        return new SessionStream(session, session.events(-1).doOnCancel(() -> abortDisconnected(session)));
    }

    /** Aborts the run of a caller that went, off the thread that saw it go: an abort may reach the shared store. */
    private void abortDisconnected(StreamSession session) {
        if (session.state().isActive()) {
            Schedulers.boundedElastic().schedule(() -> abort(session, "aborted", "disconnected"));
        }
    }

    /** The session with this id, marking the client's interest in it. */
    public Optional<StreamSession> find(String id) {
        StreamSession session = this.sessions.get(id);
        if (session != null) {
            session.touch();
        }
        return Optional.ofNullable(session);
    }

    /**
     * The session with this id if the caller may use it, or -32001: another key's session answers as one that does
     * not exist, so that its id tells nothing. In the shared mode a session this gateway does not have is looked up in
     * the shared store, without waiting for it on the caller's thread.
     */
    public Mono<StreamSession> require(String id, Caller caller) {
        return Mono.defer(() -> {
            StreamSession local = this.sessions.get(id);
            Mono<StreamSession> found = (local != null || this.shared == null) ? Mono.justOrEmpty(local)
                    : adopt(this.shared, id);
            return found.filter(caller::mayUse).switchIfEmpty(Mono.error(() -> notFound(id)));
        }).doOnNext(StreamSession::touch);
    }

    /**
     * A local copy of a session that another gateway started, filled from the shared log and kept up to date; empty
     * when the shared store has no such session.
     */
    private Mono<StreamSession> adopt(SharedRuns runs, String id) {
        return runs.find(id).flatMap((found) -> {
            StreamSession copy = new StreamSession(id, found.created(), null, null, found.transport(),
                    new Caller(found.ownerKey(), false, "shared", true), SessionState.QUEUED, this.clock,
                    this.properties.replayLimit());
            copy.bind(new SharedLease(found.model()));
            synchronized (this.sessions) {
                StreamSession existing = this.sessions.get(id);
                if (existing != null) {
                    return Mono.just(existing);
                }
                makeRoom();
                this.sessions.put(id, copy);
            }
            return runs.follow(new SessionFeed(copy)).thenReturn(copy);
        });
    }

    private static GatewayException notFound(String id) {
        return new GatewayException(ErrorCode.SESSION_NOT_FOUND, "no session " + Echo.of(id));
    }

    /** The session that this caller's JSON-RPC call with this id started: never one that another key started. */
    public Optional<StreamSession> findByRequestId(Caller caller, Object requestKey) {
        StreamSession session = this.byRequestId.get(new RequestKey(caller.keyName(), requestKey));
        if (session != null) {
            session.touch();
        }
        return Optional.ofNullable(session);
    }

    /**
     * Names the conversation that a session's run of {@code plan} left in its model's KV cache, for that model's next
     * turn; false when the cache no longer holds it (another run or call touched it, or the model was unloaded).
     */
    public boolean settleKvCache(StreamSession session, KvCachePlan plan, String conversation) {
        ModelLease lease = session.lease();
        CompletableFuture<RkllmRuntime> runtime = (lease != null) ? lease.runtime() : null;
        if (runtime == null || !runtime.isDone() || runtime.isCompletedExceptionally()) {
            return false;
        }
        return runtime.join().settleKvCache(plan, conversation);
    }

    /** Aborts a session; false when it had already ended. */
    public boolean abort(StreamSession session) {
        session.touch();
        return abort(session, "aborted", null);
    }

    /** Aborts the session on the NPU, if any and if the caller may use it: the default model's, else another's. */
    public Optional<StreamSession> abortRunning(Caller caller) {
        StreamSession running = running();
        if (running != null && caller.mayUse(running) && abort(running)) {
            return Optional.of(running);
        }
        return Optional.empty();
    }

    /** The session running on the default model, else one running on another model, else null. */
    private @Nullable StreamSession running() {
        InferenceQueue fallback = this.lanes.get(this.models.defaultModel());
        StreamSession running = (fallback != null) ? fallback.running() : null;
        if (running != null) {
            return running;
        }
        return this.lanes.values().stream().map(InferenceQueue::running).filter(Objects::nonNull).findFirst()
            .orElse(null);
    }

    /** Aborts (if needed) and forgets a session; false when there was none with that id. */
    public boolean remove(String id) {
        StreamSession session = this.sessions.get(id);
        if (session == null) {
            return false;
        }
        unregister(session);
        abort(session, "aborted", null);
        return true;
    }

    /**
     * Evicts the sessions idle for longer than the idle timeout at {@code now}, aborting active ones first; fails
     * queued ones that waited too long.
     */
    public int evictIdle(Instant now) {
        this.lanes.values().forEach((lane) -> lane.expireOverdue(now));
        expireAwaitingLoad(now);
        this.rates.forgetFull(now);
        int count = 0;
        for (StreamSession session : List.copyOf(this.sessions.values())) {
            // Only the caller that takes the session out of the map evicts and counts it: another one (a second
            // eviction, a DELETE) may have seen it too.
            if (session.isIdle(now, this.properties.idleTimeout()) && unregister(session)) {
                abort(session, "evicted", "evicted");
                this.evicted.incrementAndGet();
                logger.debug("Evicted idle session {} ({})", session.id(), session.state());
                count++;
            }
        }
        return count;
    }

    public Collection<StreamSession> sessions() {
        return List.copyOf(this.sessions.values());
    }

    /** Sessions waiting for the NPU, of every model, those waiting for their model to load included. */
    public int queueDepth() {
        int local = this.lanes.values().stream().mapToInt(InferenceQueue::depth).sum() + this.awaitingLoad.size();
        if (this.shared == null) {
            return local;
        }
        // A shared run waits in the shared queue, its session here queued until a board starts it.
        return local + (int) this.sessions.values().stream().filter((s) -> s.state() == SessionState.QUEUED).count();
    }

    /** In the shared mode, {@code boards} is the cluster's view beside this gateway's own. */
    public StreamManagerStatus status() {
        StreamSession running = running();
        return new StreamManagerStatus(!this.shuttingDown, this.sessions.size(), this.properties.maxSessions(),
                queueDepth(), (running != null) ? running.id() : null, this.created.get(), this.evicted.get(),
                (this.shared != null) ? this.shared.boards() : null);
    }

    /** The session with this id as it stands, without marking anyone's interest in it (for an operator's look). */
    public Optional<StreamSession> peek(String id) {
        return Optional.ofNullable(this.sessions.get(id));
    }

    /** Tokens generated since the start, by every run and synthetic stream. */
    public long tokensGenerated() {
        return this.tokens.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** The id of the model of runs that name none. */
    public String defaultModel() {
        return this.models.defaultModel();
    }

    /** Sessions evicted since the start. */
    public long sessionsEvicted() {
        return this.evicted.get();
    }

    private boolean abort(StreamSession session, String finishReason, @Nullable String cause) {
        this.awaitingLoad.remove(session);
        String model = session.model();
        InferenceQueue lane = (model != null) ? this.lanes.get(model) : null;
        if (lane != null) {
            lane.remove(session);
        }
        return session.requestAbort(finishReason, cause);
    }

    /** Fails the sessions that waited longer than the queue's max wait at {@code now} for their model to load. */
    private void expireAwaitingLoad(Instant now) {
        Instant deadline = now.minus(this.queueSettings.maxWait());
        for (StreamSession session : List.copyOf(this.awaitingLoad)) {
            if (session.created().isBefore(deadline) && this.awaitingLoad.remove(session)) {
                session.fail(ErrorCode.QUEUE_FULL, "waited longer than " + this.queueSettings.maxWait()
                        + " (rkllm.queue.max-wait) for model " + session.model() + " to load");
            }
        }
    }

    /**
     * Stops taking runs and ends every live session with an {@code aborted} end chunk whose reason is
     * {@code shutdown}, aborting the run on the NPU; waits at most {@code grace} for the running one to return.
     */
    public void shutdown(Duration grace) {
        this.shuttingDown = true;
        List<StreamSession> live = this.sessions.values().stream().filter((s) -> s.state().isActive()).toList();
        if (!live.isEmpty()) {
            logger.info("Shutting down: ending {} live session(s)", live.size());
        }
        // Queued ones first: aborting the running one would otherwise start the next in line.
        live.stream().filter((s) -> s.state() == SessionState.QUEUED).forEach((s) -> abort(s, "aborted", "shutdown"));
        live.forEach((s) -> abort(s, "aborted", "shutdown"));
        try {
            CompletableFuture.allOf(live.stream().map(StreamSession::end).toArray(CompletableFuture[]::new))
                .get(grace.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException | TimeoutException ex) {
            logger.warn("Live sessions did not end within {}", grace);
        }
    }

    /** Takes runs again after {@link #shutdown}: the application context was stopped and is started again. */
    public void reopen() {
        this.shuttingDown = false;
    }

    /** Refuses with -32602 an input larger than {@code rkllm.limits.max-prompt-bytes}, naming its field. */
    private void refuseOversized(RunRequest request) {
        long bytes = request.inputBytes();
        if (bytes > this.maxInputBytes) {
            String field = switch (request.input()) {
                case PROMPT -> "prompt_input";
                case TOKEN -> "token_input";
                case EMBED -> "embed_input";
            };
            throw new GatewayException(ErrorCode.INVALID_PARAMS, field + ": is " + bytes
                    + " bytes, more than rkllm.limits.max-prompt-bytes (" + this.maxInputBytes + ")");
        }
    }

    /** Takes one run from the caller's client's bucket, or refuses with -32000 and when to try again. */
    private void takeRequest(Caller caller) {
        Duration wait = caller.limitedPerClient() ? this.rates.take(caller.clientId()) : null;
        if (wait != null) {
            throw rateLimited(wait);
        }
    }

    /** -32000 for a client that used its runs per minute, with when it may start the next. */
    public static GatewayException rateLimited(Duration wait) {
        return new GatewayException(ErrorCode.QUEUE_FULL, "this client has used its runs for now "
                + "(rkllm.limits.requests-per-minute); try again in " + GatewayException.retryAfterSeconds(wait)
                + " s", wait);
    }

    /** -32000 for a client that has as many runs waiting as it may, with a hint to try again. */
    public static GatewayException clientBusy(int maxPerClient) {
        return new GatewayException(ErrorCode.QUEUE_FULL, "this client has " + maxPerClient
                + " runs waiting already (rkllm.limits.max-queued-per-client); send the next one when one"
                + " of them has started", RETRY_WHEN_BUSY);
    }

    private void refuseWhenShuttingDown() {
        if (this.shuttingDown) {
            throw GatewayException.runtimeUnavailable("the service is shutting down");
        }
    }

    private StreamSession register(@Nullable RunRequest request, @Nullable Object requestId, String transport,
            Caller caller, SessionState initial) {
        StreamSession session = new StreamSession(request, requestId, transport, caller, initial, this.clock,
                this.properties.replayLimit());
        synchronized (this.sessions) {
            makeRoom();
            this.sessions.put(session.id(), session);
        }
        return session;
    }

    /** Called holding the sessions' lock: makes room for one more session, or refuses with -32002. */
    private void makeRoom() {
        if (this.sessions.size() >= this.properties.maxSessions() && !giveWay()) {
            throw new GatewayException(ErrorCode.TOO_MANY_SESSIONS, "too many sessions ("
                    + this.properties.maxSessions() + ", rkllm.streams.max-sessions); try again later");
        }
    }

    /**
     * Evicts the ended session that nobody reads and that was idle longest, to make room for a new run: ended
     * sessions are replay state, not work, and must not refuse runs for the whole idle timeout.
     *
     * @return false when every live session is queued, running or being read
     */
    private boolean giveWay() {
        Optional<StreamSession> oldest = this.sessions.values()
            .stream()
            .filter((session) -> !session.state().isActive() && session.subscribers() == 0)
            .min(Comparator.comparing(StreamSession::lastActivity));
        oldest.filter(this::unregister).ifPresent((session) -> {
            this.evicted.incrementAndGet();
            logger.debug("Session {} gave way to a new run at rkllm.streams.max-sessions", session.id());
        });
        return oldest.isPresent();
    }

    /**
     * Counts and indexes a session once it is accepted: a refused one is not counted and must not take the request id
     * of an earlier session.
     */
    private void accept(StreamSession session) {
        this.created.incrementAndGet();
        RequestKey key = RequestKey.of(session);
        if (key != null) {
            this.byRequestId.put(key, session);
        }
    }

    /** False when the session was no longer registered. */
    private boolean unregister(StreamSession session) {
        boolean removed = this.sessions.remove(session.id(), session);
        RequestKey key = RequestKey.of(session);
        if (key != null) {
            this.byRequestId.remove(key, session);
        }
        return removed;
    }

    private void launch(StreamSession session) {
        RunRequest request = session.request();
        ModelLease lease = Objects.requireNonNull(session.lease());
        InferenceQueue queue = lane(lease.modelId());
        if (request == null || !session.markRunning()) {
            queue.finished(session);
            return;
        }
        NativeRun run;
        try {
            run = lease.runtime().join().submit(request, listenerFor(session, lease.modelId()));
        }
        catch (RuntimeException ex) {
            fail(session, ex);
            queue.finished(session);
            return;
        }
        session.attach(run);
        if (!session.state().isActive()) {
            // Aborted between leaving the queue and getting its run: the NPU must not run for nobody.
            run.abort();
        }
        run.result().whenComplete((result, error) -> {
            // Usually on the runtime's worker, right after rkllm_run returned: hand it the next run first (it takes
            // it up as soon as this returns), then end this session on another thread (once the next run is under
            // way, at once when none waits), so that what its subscribers do with the end chunk (an HTTP answer)
            // never keeps the NPU idle.
            Runnable end = () -> {
                if (error != null) {
                    fail(session, error);
                }
                else {
                    session.finish(result);
                }
            };
            if (queue.finished(session)) {
                afterHandOver(end);
            }
            else {
                this.timer.execute(end);
            }
        });
    }

    /** Ends a session whose run could not start or failed, telling its readers what a client may know of why. */
    private static void fail(StreamSession session, Throwable error) {
        GatewayException failure = ClientErrors.translate(error, "The run of session " + session.id());
        session.fail(failure.errorCode(), failure.getMessage());
    }

    private void afterHandOver(Runnable task) {
        this.timer.schedule(task, AFTER_HAND_OVER.toNanos(), TimeUnit.NANOSECONDS);
    }

    private TokenListener listenerFor(StreamSession session, String model) {
        Instant accepted = session.created();
        LongAdder count = tokenCount(model);
        return (text, tokenId) -> {
            if (tokenId >= 0) {
                count.increment();
            }
            if (session.append(text)) {
                this.metrics.firstToken(model, Duration.between(accepted, this.clock.instant()));
            }
        };
    }

    /** The token count of a model, made (and handed to the meters) on the model's first run. */
    private LongAdder tokenCount(String model) {
        LongAdder count = this.tokens.get(model);
        if (count != null) {
            return count;
        }
        LongAdder fresh = new LongAdder();
        count = this.tokens.putIfAbsent(model, fresh);
        if (count == null) {
            this.metrics.tokensCounted(model, fresh);
            return fresh;
        }
        return count;
    }

    /** A request id as the key that sent it sees it: {@code 1} of one key is not {@code 1} of another. */
    private record RequestKey(@Nullable String keyName, Object requestId) {

        static @Nullable RequestKey of(StreamSession session) {
            Object requestId = session.requestId();
            return (requestId != null) ? new RequestKey(session.owner().keyName(), requestId) : null;
        }

    }

    /** The model of a shared run, which a board resolves when it claims it: nothing to hold here. */
    private record SharedLease(String modelId) implements ModelLease {

        /** The queue runs of no named model go to: each board runs them on its default model. */
        static final String DEFAULT_QUEUE = "default";

        static String queueOf(RunRequest request) {
            return (request.model() != null) ? request.model() : DEFAULT_QUEUE;
        }

        @Override
        public CompletableFuture<RkllmRuntime> runtime() {
            return CompletableFuture.failedFuture(new IllegalStateException("a shared run has no local runtime"));
        }

        @Override
        public void release() {
        }

    }

}
