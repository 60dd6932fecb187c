package io.rkllm.gateway.cluster;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.stream.BoardStatus;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.RunLimits;
import io.rkllm.gateway.stream.SessionFeed;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.SharedRuns;
import io.rkllm.gateway.stream.SharedSession;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamChunk.ChunkError;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamSession;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.RedisStreamCommands.XAddOptions;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.serializer.RedisSerializer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's side of the shared queue and session log: queues the runs it accepts as jobs of their model's Redis
 * stream (where the queue's capacity and each client's limits are counted for the whole cluster), follows the logs of
 * the sessions it serves (one blocking read for all of them, on a connection of its own), fails the runs that wait
 * longer than the max wait, ends as {@code worker_lost} the runs whose board stopped its heartbeats, and sends aborts
 * to the board that runs the session.
 */
public final class RedisSharedRuns implements SharedRuns, SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(RedisSharedRuns.class);

    /** How long one blocking read waits before it looks at the sessions followed again. */
    private static final Duration READ_BLOCK = Duration.ofSeconds(1);

    /** How long the reader waits before it tries again when Redis is away. */
    private static final Duration RETRY = Duration.ofMillis(500);

    private static final RedisSerializer<String> TEXT = RedisSerializer.string();

    private final ClusterRedis redis;

    private final SharedLog log;

    private final JsonMapper json;

    private final QueueProperties queue;

    private final RunLimits limits;

    private final Duration lease;

    private final Clock clock;

    private final String gatewayId;

    /** The sessions whose log is read here, by session id: the entry after {@code lastId} comes next. */
    private final Map<String, Follow> follows = new ConcurrentHashMap<>();

    /** Aborts that found Redis unreachable, by session id: finish reason and cause. */
    private final Map<String, String[]> unsentAborts = new ConcurrentHashMap<>();

    /** The runs this gateway queued and that have not started yet, by session id. */
    private final Map<String, Queued> queued = new ConcurrentHashMap<>();

    private volatile @Nullable Disposable reader;

    private volatile List<BoardStatus> boards = List.of();

    private volatile boolean open;

    private volatile String wakeLast = "0-0";

    public RedisSharedRuns(ClusterRedis redis, SharedLog log, JsonMapper json, QueueProperties queue,
            RunLimits limits, Duration lease, Clock clock, String gatewayId) {
        this.redis = redis;
        this.log = log;
        this.json = json;
        this.queue = queue;
        this.limits = limits;
        this.lease = lease;
        this.clock = clock;
        this.gatewayId = gatewayId;
    }

    /** Starts the log reader, on a connection it holds as long as it reads: its blocking reads would hold up others. */
    @Override
    public void start() {
        this.open = true;
        this.reader = this.redis.ops()
            .execute((connection) -> Mono.defer(() -> readOnce(connection)).repeat(() -> this.open), true)
            .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, RETRY).filter((failure) -> this.open)
                .doBeforeRetry((signal) -> readFailed(signal.failure())))
            .subscribe();
    }

    /** Stops the log reader, before Spring Boot's Redis connection factory closes its connections. */
    @Override
    public void stop() {
        this.open = false;
        Disposable running = this.reader;
        if (running != null) {
            running.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return this.open;
    }

    @Override
    public int getPhase() {
        return BoardWorker.REDIS_USERS_PHASE;
    }

    /**
     * Once the script runs, what follows runs to its end even when the caller cancels (its client went): a job that
     * Redis queued then gets its session's abort, which takes it out of the queue, rather than run for nobody.
     */
    @Override
    public Mono<Void> submit(RunRequest request, SessionFeed feed) {
        return Mono.defer(() -> {
            refuseWhenUnreachable();
            StreamSession session = feed.session();
            Caller caller = session.owner();
            String id = session.id();
            String queueKey = ClusterKeys.queue(String.valueOf(session.model()));
            boolean perClient = caller.limitedPerClient();
            String owner = (caller.keyName() != null) ? caller.keyName() : "";
            CompletableFuture<Void> submitted = this.redis
                .script(ClusterScripts.SUBMIT,
                        List.of(queueKey, ClusterKeys.session(id),
                                perClient ? ClusterKeys.clientQueued(caller.clientId()) : "",
                                perClient ? ClusterKeys.clientBucket(caller.clientId()) : ""),
                        Integer.toString(this.queue.capacity()), this.log.ttlMillis(), id,
                        this.json.writeValueAsString(request), owner, Integer.toString(this.limits.maxQueued()),
                        Integer.toString(this.limits.requestsPerMinute()),
                        Long.toString(this.queue.maxWait().plus(this.lease).toMillis()), "owner", owner, "transport",
                        session.transport(), "model", String.valueOf(session.model()), "created",
                        Long.toString(session.created().toEpochMilli()), "gateway", this.gatewayId)
                .onErrorMap(ClusterRedis::isRedisFailure, (ex) -> {
                    // The script may have run all the same (its answer timed out): its job must not run for a caller
                    // told that it was refused, so the session is ended once Redis answers, if it is there.
                    this.redis.unreachable(ex);
                    this.unsentAborts.put(id, new String[] { "aborted", "refused" });
                    return unreachable();
                })
                .flatMap((job) -> queued(feed, queueKey, job))
                .toFuture();
            return Mono.fromFuture(submitted, true);
        });
    }

    /** What the submit script answered: the job, which the session now follows, or why the run was refused. */
    private Mono<Void> queued(SessionFeed feed, String queueKey, String job) {
        if (job.equals(ClusterScripts.QUEUE_FULL)) {
            return Mono.error(StreamManager.queueFull(this.queue.capacity()));
        }
        if (job.equals(ClusterScripts.CLIENT_BUSY)) {
            return Mono.error(StreamManager.clientBusy(this.limits.maxQueued()));
        }
        if (job.startsWith(ClusterScripts.RATE_LIMITED)) {
            long wait = Long.parseLong(job.substring(ClusterScripts.RATE_LIMITED.length()));
            return Mono.error(StreamManager.rateLimited(Duration.ofMillis(wait)));
        }
        String id = feed.session().id();
        feed.abortsTo((reason, cause) -> abort(id, reason, cause));
        Queued waiting = new Queued(feed, queueKey, job);
        this.queued.put(id, waiting);
        follow(feed, "0-0");
        return Mono.when(this.redis.ops().convertAndSend(ClusterKeys.JOBS, queueKey), updatePosition(waiting))
            .onErrorResume(ClusterRedis::isRedisFailure, (ex) -> {
                // Queued all the same: idle boards look again within a moment, and the next tick gives the position.
                this.redis.unreachable(ex);
                return Mono.empty();
            });
    }

    @Override
    public Mono<SharedSession> find(String id) {
        return this.redis.ops()
            .<String, String>opsForHash()
            .entries(ClusterKeys.session(id))
            .collectMap(Map.Entry::getKey, Map.Entry::getValue)
            .onErrorMap(ClusterRedis::isRedisFailure, (ex) -> {
                this.redis.unreachable(ex);
                return unreachable();
            })
            .filter((meta) -> meta.containsKey("created"))
            .map((meta) -> {
                String owner = meta.getOrDefault("owner", "");
                return new SharedSession(id, owner.isEmpty() ? null : owner, meta.getOrDefault("transport", "?"),
                        meta.getOrDefault("model", "?"), Instant.ofEpochMilli(Long.parseLong(meta.get("created"))));
            });
    }

    /** Reads what the log holds already, then lets the reader carry on from there. */
    @Override
    public Mono<Void> follow(SessionFeed feed) {
        String id = feed.session().id();
        feed.abortsTo((reason, cause) -> abort(id, reason, cause));
        return this.log.read(id, "0-0").collectList().onErrorResume(ClusterRedis::isRedisFailure, (ex) -> {
            // The reader reads the whole log once Redis is back.
            this.redis.unreachable(ex);
            return Mono.just(List.of());
        }).doOnNext((entries) -> {
            String last = "0-0";
            for (MapRecord<String, ?, ?> entry : entries) {
                apply(feed, entry);
                last = entry.getId().getValue();
            }
            if (feed.session().state().isActive()) {
                follow(feed, last);
            }
        }).then();
    }

    private void follow(SessionFeed feed, String fromId) {
        this.follows.put(feed.session().id(), new Follow(feed, fromId));
        // The reader blocks on the logs it followed until now: a new entry in its wake stream makes it read again.
        this.redis.ops()
            .opsForStream()
            .add(StreamRecords.newRecord().in(ClusterKeys.wake(this.gatewayId)).ofMap(Map.of("f", feed.session().id())),
                    XAddOptions.maxlen(1))
            .subscribe(null, (ex) -> this.redis.unreachable(ex));
    }

    @Override
    public @Nullable String unavailable() {
        return this.redis.failure();
    }

    @Override
    public List<BoardStatus> boards() {
        return this.boards;
    }

    /**
     * Ends a queued session at once (its job leaves the queue); a running one is the board's to stop, which writes its
     * end chunk. An abort that cannot reach Redis is sent again once it answers: a run must not go on for a client
     * that left.
     */
    private void abort(String id, String finishReason, @Nullable String cause) {
        sendAbort(id, finishReason, cause).subscribe(null, (ex) -> {
            this.redis.unreachable(ex);
            this.unsentAborts.put(id, new String[] { finishReason, cause });
            logger.warn("Session {}: the abort could not be sent ({}); it is sent again once Redis answers", id,
                    ClusterRedis.message(ex));
        });
    }

    /**
     * The abort of a running session is written into its metadata, where its board's heartbeat finds it, and
     * published, so that the board hears of it at once.
     */
    private Mono<Void> sendAbort(String id, String finishReason, @Nullable String cause) {
        SessionState state = "evicted".equals(finishReason) ? SessionState.EVICTED : SessionState.ABORTED;
        String abort = finishReason + ((cause != null) ? " " + cause : "");
        String session = ClusterKeys.session(id);
        return this.log.end(id, "queued", null, state, new StreamChunk(0, "", true, finishReason, cause, null, null))
            .filter((ended) -> !ended)
            .filterWhen((running) -> this.redis.ops().hasKey(session))
            .flatMap((running) -> this.redis.ops()
                .opsForHash()
                .put(session, ClusterKeys.ABORT_FIELD, abort)
                .then(this.redis.ops().expire(session, this.log.ttl()))
                .then(this.redis.ops().convertAndSend(ClusterKeys.ABORTS, id + " " + abort)))
            .then();
    }

    private Mono<Void> unsentAborts() {
        return Flux.fromIterable(List.copyOf(this.unsentAborts.entrySet()))
            .concatMap((unsent) -> sendAbort(unsent.getKey(), unsent.getValue()[0], unsent.getValue()[1])
                .doOnSuccess((sent) -> this.unsentAborts.remove(unsent.getKey(), unsent.getValue())))
            .then();
    }

    /**
     * What the gateway does on each tick that finds Redis answering: the aborts it could not send, the boards'
     * heartbeats, the positions of its queued runs and whether they waited too long, whether the boards of the
     * sessions it follows are alive, and it keeps those sessions' logs.
     */
    Mono<Void> tick() {
        return Mono.when(unsentAborts(), lookAtBoards(), queuedRuns(), followedSessions())
            .onErrorResume(ClusterRedis::isRedisFailure, (ex) -> {
                this.redis.unreachable(ex);
                return Mono.empty();
            });
    }

    private Mono<Void> queuedRuns() {
        return Flux.fromIterable(List.copyOf(this.queued.values())).concatMap((waiting) -> {
            if (waiting.feed().session().state() == SessionState.QUEUED) {
                return updatePosition(waiting);
            }
            this.queued.remove(waiting.feed().session().id());
            return Mono.empty();
        }).then();
    }

    /**
     * Every gateway that follows a session watches over it, so that it ends even when the gateway that took it is
     * gone too.
     */
    private Mono<Void> followedSessions() {
        Instant overdue = this.clock.instant().minus(this.queue.maxWait());
        return Flux.fromIterable(List.copyOf(this.follows.values())).concatMap((follow) -> {
            StreamSession session = follow.feed().session();
            Mono<?> check = Mono.empty();
            if (session.state() == SessionState.QUEUED && session.created().isBefore(overdue)) {
                check = expire(session);
            }
            else if (session.state() == SessionState.RUNNING) {
                check = checkBoard(session.id());
            }
            boolean kept = session.state().isActive() || session.subscribers() > 0;
            return check.then(kept ? this.log.keep(session.id()) : Mono.empty());
        }).then();
    }

    /** The boards' last heartbeats, for {@link #boards()}; a board whose heartbeat expired leaves the list. */
    private Mono<Void> lookAtBoards() {
        return this.redis.ops()
            .opsForSet()
            .members(ClusterKeys.BOARDS)
            .concatMap((board) -> this.redis.ops()
                .<String, String>opsForHash()
                .entries(ClusterKeys.board(board))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .flatMap((beat) -> beat.isEmpty()
                        ? this.redis.ops().opsForSet().remove(ClusterKeys.BOARDS, board).then(Mono.empty())
                        : Mono.just(BoardWorker.status(board, beat))))
            .sort(Comparator.comparing(BoardStatus::id))
            .collectList()
            .doOnNext((seen) -> this.boards = List.copyOf(seen))
            .then();
    }

    private Mono<Boolean> expire(StreamSession session) {
        return this.log.end(session.id(), "queued", null, SessionState.FAILED, new StreamChunk(0, "", true, "error",
                null, null, ChunkError.of(ErrorCode.QUEUE_FULL, "waited longer than " + this.queue.maxWait()
                        + " (rkllm.queue.max-wait) for a board to run model " + session.model())));
    }

    /** Ends as {@code worker_lost} a running session whose board's heartbeat has expired. */
    private Mono<Void> checkBoard(String id) {
        return this.redis.ops()
            .<String, String>opsForHash()
            .get(ClusterKeys.session(id), "board")
            .filterWhen((board) -> this.redis.ops().hasKey(ClusterKeys.board(board)).map((alive) -> !alive))
            .flatMap((board) -> this.log
                .end(id, "running", board, SessionState.FAILED, new StreamChunk(0, "", true, "error", "worker_lost",
                        null, ChunkError.of(ErrorCode.INFERENCE_FAILED, "the board that ran this session (" + board
                                + ") sent no heartbeat for rkllm.cluster.lease (" + this.lease + ")")))
                .doOnNext((ended) -> {
                    if (ended) {
                        logger.warn("Session {}: board {} sent no heartbeat for {}; the session ends as worker_lost",
                                id, board, this.lease);
                    }
                }))
            .then();
    }

    /** Counts the jobs before this one in its queue (those started have left it). */
    private Mono<Void> updatePosition(Queued waiting) {
        return this.redis.ops()
            .opsForStream()
            .range(waiting.queueKey(), Range.closed("-", waiting.job()))
            .count()
            .doOnNext((ahead) -> {
                if (ahead > 0) {
                    waiting.feed().queued(ahead.intValue());
                }
            })
            .then();
    }

    /** One blocking read over every followed log and this gateway's wake stream. */
    private Mono<Void> readOnce(ReactiveRedisConnection connection) {
        Map<String, Follow> byLog = new LinkedHashMap<>();
        List<StreamOffset<ByteBuffer>> offsets = new ArrayList<>();
        String wake = ClusterKeys.wake(this.gatewayId);
        offsets.add(offset(wake, this.wakeLast));
        for (Follow follow : this.follows.values()) {
            String key = ClusterKeys.log(follow.feed().session().id());
            byLog.put(key, follow);
            offsets.add(offset(key, follow.lastId()));
        }
        @SuppressWarnings("unchecked")
        StreamOffset<ByteBuffer>[] streams = offsets.toArray(StreamOffset[]::new);
        return connection.streamCommands()
            .xRead(StreamReadOptions.empty().block(READ_BLOCK).count(256), streams)
            .map((entry) -> entry.deserialize(TEXT))
            .doOnNext((entry) -> {
                if (entry.getStream().equals(wake)) {
                    this.wakeLast = entry.getId().getValue();
                    return;
                }
                Follow follow = byLog.get(entry.getStream());
                if (follow == null) {
                    return;
                }
                follow.lastId(entry.getId().getValue());
                apply(follow.feed(), entry);
                if (!follow.feed().session().state().isActive()) {
                    this.follows.remove(follow.feed().session().id(), follow);
                }
            })
            .then();
    }

    private static StreamOffset<ByteBuffer> offset(String key, String afterId) {
        return StreamOffset.create(ClusterRedis.raw(key), ReadOffset.from(afterId));
    }

    private void readFailed(Throwable failure) {
        if (ClusterRedis.isRedisFailure(failure)) {
            this.redis.unreachable(failure);
        }
        else {
            logger.warn("Reading the shared session logs failed", failure);
        }
    }

    private void apply(SessionFeed feed, MapRecord<String, ?, ?> entry) {
        StreamChunk chunk = this.log.decode(entry);
        if (chunk == null) {
            feed.running();
        }
        else {
            feed.chunk(chunk);
        }
    }

    private void refuseWhenUnreachable() {
        if (this.redis.failure() != null) {
            throw unreachable();
        }
    }

    private GatewayException unreachable() {
        return GatewayException.runtimeUnavailable(String.valueOf(this.redis.failure()));
    }

    /** A followed log: its session here and the id of the last entry read. */
    private static final class Follow {

        private final SessionFeed feed;

        private volatile String lastId;

        Follow(SessionFeed feed, String lastId) {
            this.feed = feed;
            this.lastId = lastId;
        }

        SessionFeed feed() {
            return this.feed;
        }

        String lastId() {
            return this.lastId;
        }

        void lastId(String id) {
            this.lastId = id;
        }

    }

    /** A run this gateway queued: its job in the model's queue. */
    private record Queued(SessionFeed feed, String queueKey, String job) {
    }

}
