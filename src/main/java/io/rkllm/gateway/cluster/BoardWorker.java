package io.rkllm.gateway.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.rkllm.gateway.models.ModelCatalogue;
import io.rkllm.gateway.models.ModelFile;
import io.rkllm.gateway.models.ModelState;
import io.rkllm.gateway.models.ModelStatus;
import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.rpc.ClientErrors;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.stream.BoardStatus;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.SessionStream;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamChunk.ChunkError;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamSession;
import io.rkllm.gateway.stream.StreamShutdown;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.stream.ReadOffset;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * This board's part in the cluster: while its runtime is idle it claims the oldest job of the queues of its models
 * (first for the models it has loaded, then for those of its catalogue that no other board has loaded, so that a
 * model is not loaded on a second board while the first still holds it) and starts it in the same step, runs it
 * through the stream manager's own queue, and writes the run's chunks to the session's shared log; it sends
 * heartbeats, and stops its run when an abort for it comes. On shutdown it claims no more and lets its run finish
 * within the grace time.
 */
public final class BoardWorker implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(BoardWorker.class);

    /** The lifecycle phase of the board: it stops after the stream manager ({@link StreamShutdown}). */
    static final int PHASE = StreamShutdown.PHASE - 1;

    /**
     * The lifecycle phase of what the board and the gateway need from Redis to the end (the ticks, the log reader):
     * they stop after the board has left and before Spring Boot's Redis connection factory (phase 0) closes.
     */
    static final int REDIS_USERS_PHASE = PHASE - 1;

    /** The queue of runs that name no model: every board runs them on its default model. */
    static final String DEFAULT_QUEUE = "default";

    /** How long an idle board waits for news of a job before it looks again. */
    private static final Duration LOOK_AGAIN = Duration.ofMillis(500);

    /** How many aborts for sessions not running here are remembered, for a run this board is about to start. */
    private static final int EARLY_ABORTS = 32;

    private final ClusterRedis redis;

    private final SharedLog log;

    private final StreamManager manager;

    private final ModelCatalogue catalogue;

    private final ResidentModels residents;

    private final JsonMapper json;

    private final String boardId;

    private final Duration lease;

    private final Duration grace;

    private final Object signal = new Object();

    /** Queues whose consumer group this board made sure of. */
    private final Set<String> grouped = ConcurrentHashMap.newKeySet();

    /**
     * The last aborts that came for sessions not running here: one may be for the session this board has just claimed
     * and not yet started (every board hears every abort, so only the newest are kept).
     */
    private final Map<String, String[]> earlyAborts = new LinkedHashMap<>();

    /** The session this board has claimed and not yet ended in the log; null when it may claim. */
    private volatile @Nullable String current;

    private volatile @Nullable StreamSession running;

    /** The session whose abort or end a heartbeat found in its metadata and passed on, once. */
    private volatile @Nullable String abortFound;

    private volatile boolean claiming;

    private volatile boolean subscribed;

    /** The pub/sub subscriptions, ended when the board leaves. */
    private final Disposable.Composite subscriptions = Disposables.composite();

    /** Set once the board has left the cluster: no heartbeat may bring it back. */
    private volatile boolean left;

    public BoardWorker(ClusterRedis redis, SharedLog log, StreamManager manager, ModelCatalogue catalogue,
            ResidentModels residents, JsonMapper json, String boardId, Duration lease, Duration grace) {
        this.redis = redis;
        this.log = log;
        this.manager = manager;
        this.catalogue = catalogue;
        this.residents = residents;
        this.json = json;
        this.boardId = boardId;
        this.lease = lease;
        this.grace = grace;
    }

    public String boardId() {
        return this.boardId;
    }

    @Override
    public void start() {
        this.claiming = true;
        Thread thread = new Thread(this::claimLoop, "rkllm-cluster-claim");
        thread.setDaemon(true);
        thread.start();
    }

    /** Claims no more jobs, lets the running one end within the grace time, then aborts it; leaves the cluster. */
    @Override
    public void stop() {
        this.claiming = false;
        wake();
        StreamSession run = this.running;
        if (run != null) {
            try {
                run.end().get(this.grace.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (Exception ex) {
                this.manager.abortClaimed(run, "aborted", "shutdown");
            }
        }
        this.left = true;
        this.subscriptions.dispose();
        try {
            this.redis.ops().delete(ClusterKeys.board(this.boardId)).block();
        }
        catch (RuntimeException ex) {
            logger.debug("Board {} could not say it left: {}", this.boardId, ClusterRedis.message(ex));
        }
    }

    @Override
    public boolean isRunning() {
        return this.claiming;
    }

    /** Stops after the stream manager has ended the sessions that this gateway's clients hold. */
    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * The heartbeat: this board, its queues and what it does, for another lease; and whether its run is still its own
     * ({@link #checkOwnRun}).
     */
    Mono<Void> heartbeat() {
        if (this.left) {
            return Mono.empty();
        }
        return Mono.defer(() -> {
            subscribeOnce();
            String session = this.current;
            String key = ClusterKeys.board(this.boardId);
            Map<String, String> beat = Map.of("models", String.join(",", queues()), "resident",
                    String.join(",", loaded()), "state", (session == null && this.manager.idle()) ? "idle" : "busy",
                    "running", (session != null) ? session : "");
            return this.redis.ops()
                .opsForHash()
                .putAll(key, beat)
                .then(this.redis.ops().expire(key, this.lease))
                .then(this.redis.ops().opsForSet().add(ClusterKeys.BOARDS, this.boardId))
                .then((session != null) ? this.log.keep(session).then(checkOwnRun(session)) : Mono.empty());
        }).onErrorResume(ClusterRedis::isRedisFailure, (ex) -> {
            this.redis.unreachable(ex);
            return Mono.empty();
        });
    }

    /**
     * Whether the session this board runs is still its own: an abort written into its metadata (one published while
     * this board was not listening) stops it, and so does its end elsewhere (another gateway ended it as
     * {@code worker_lost} while this board could not reach Redis for a lease), so that it does not go on for nobody.
     */
    private Mono<Void> checkOwnRun(String session) {
        return this.redis.ops()
            .<String, String>opsForHash()
            .multiGet(ClusterKeys.session(session), List.of(ClusterKeys.ABORT_FIELD, "state", "board"))
            .filter((fields) -> !session.equals(this.abortFound))
            .doOnNext((fields) -> {
                String abort = fields.get(0);
                if (abort == null && "running".equals(fields.get(1)) && this.boardId.equals(fields.get(2))) {
                    return;
                }
                this.abortFound = session;
                if (abort == null) {
                    logger.warn("Board {}: session {} ended elsewhere while this board could not reach Redis; its run"
                            + " stops", this.boardId, session);
                }
                abortRequested(session + " " + ((abort != null) ? abort : "aborted worker_lost"));
            })
            .then();
    }

    /** A board as its heartbeat's fields ({@link #heartbeat()}) show it. */
    static BoardStatus status(String board, Map<String, String> beat) {
        String running = beat.getOrDefault("running", "");
        return new BoardStatus(board, List.of(beat.getOrDefault("models", "").split(",")),
                beat.getOrDefault("state", "?"), running.isEmpty() ? null : running);
    }

    private void subscribeOnce() {
        if (!this.subscribed) {
            this.subscriptions.add(this.redis.subscribe(ClusterKeys.JOBS, (queue) -> wake()));
            this.subscriptions.add(this.redis.subscribe(ClusterKeys.ABORTS, this::abortRequested));
            this.subscribed = true;
        }
    }

    /** The queues this board takes jobs from: runs that name no model, and each model of its catalogue. */
    List<String> queues() {
        Set<String> names = new LinkedHashSet<>();
        names.add(DEFAULT_QUEUE);
        for (ModelFile model : this.catalogue.models()) {
            names.add(model.id());
            names.addAll(model.sidecar().aliases());
        }
        return new ArrayList<>(names);
    }

    /** The names (ids and aliases) of the models this board has loaded or is loading. */
    private Set<String> loaded() {
        Set<String> names = new LinkedHashSet<>();
        for (ModelStatus model : this.residents.status().models()) {
            if (model.state() == ModelState.READY || model.state() == ModelState.LOADING) {
                names.add(model.id());
                names.addAll(model.aliases());
            }
        }
        return names;
    }

    /**
     * The queues in the order this board looks at them: runs that name no model and the models it has loaded, then
     * the models of its catalogue that no other live board has loaded (a board whose lease ran out has no heartbeat).
     */
    private List<String> claimOrder() {
        Set<String> order = new LinkedHashSet<>();
        order.add(DEFAULT_QUEUE);
        order.addAll(loaded());
        Set<String> elsewhere = new HashSet<>();
        List<String> others = this.redis.ops()
            .opsForSet()
            .members(ClusterKeys.BOARDS)
            .filter((board) -> !board.equals(this.boardId))
            .concatMap((board) -> this.redis.ops().<String, String>opsForHash().get(ClusterKeys.board(board),
                    "resident"))
            .collectList()
            .block();
        for (String resident : Objects.requireNonNull(others)) {
            if (!resident.isEmpty()) {
                elsewhere.addAll(List.of(resident.split(",")));
            }
        }
        queues().stream().filter((queue) -> !elsewhere.contains(queue)).forEach(order::add);
        return order.stream().map(ClusterKeys::queue).toList();
    }

    /**
     * The claim thread: while this board is idle, claims the next job. It waits for Redis's answers, being the one
     * thread that does nothing else.
     */
    private void claimLoop() {
        while (this.claiming) {
            boolean claimed = false;
            if (this.current == null && this.redis.failure() == null && this.manager.idle()) {
                try {
                    claimed = claimNext();
                }
                catch (RuntimeException ex) {
                    claimFailed(ex);
                }
            }
            if (!claimed) {
                await(LOOK_AGAIN);
            }
        }
    }

    private void claimFailed(RuntimeException failure) {
        if (NestedExceptionUtils.getMostSpecificCause(failure) instanceof RedisCommandExecutionException refused) {
            // NOGROUP: Redis lost its data (a restart without persistence); the groups are made again.
            logger.warn("Board {}: claiming a job failed ({})", this.boardId, refused.getMessage());
        }
        else if (ClusterRedis.isRedisFailure(failure)) {
            this.redis.unreachable(failure);
        }
        else {
            logger.warn("Board {}: claiming a job failed", this.boardId, failure);
        }
        this.grouped.clear();
    }

    /** Claims and starts the oldest job this board can run; false when there is none. */
    private boolean claimNext() {
        List<String> keys = claimOrder();
        keys.forEach(this::ensureGroup);
        for (String key : keys) {
            List<?> job = this.redis
                .script(ClusterScripts.CLAIM, List.of(key), ClusterKeys.GROUP, this.boardId, this.log.ttlMillis())
                .block();
            if (job != null && job.size() == 3) {
                run(key, job.get(0).toString(), job.get(1).toString(), job.get(2).toString());
                return true;
            }
        }
        return false;
    }

    private void ensureGroup(String key) {
        if (this.grouped.contains(key)) {
            return;
        }
        try {
            this.redis.ops()
                .execute((connection) -> connection.streamCommands()
                    .xGroupCreate(ClusterRedis.raw(key), ClusterKeys.GROUP, ReadOffset.from("0-0"), true))
                .blockLast();
        }
        catch (RuntimeException ex) {
            if (!(NestedExceptionUtils.getMostSpecificCause(ex) instanceof RedisBusyException)) {
                throw ex;
            }
            // The group exists: another board made it.
        }
        this.grouped.add(key);
    }

    /** Runs here the session of a job this board claimed and started in the shared log. */
    private void run(String key, String id, String request, String owner) {
        this.current = id;
        SessionStream stream;
        try {
            stream = this.manager.runClaimed(id, this.json.readValue(request, RunRequest.class),
                    new Caller(owner.isEmpty() ? null : owner, false, "cluster", true));
        }
        catch (RuntimeException ex) {
            GatewayException failure = (ex instanceof GatewayException known) ? known
                    : ClientErrors.translate(ex, "The claimed run of session " + id);
            this.log.end(id, "running", this.boardId, SessionState.FAILED, new StreamChunk(0, "", true, "error",
                    null, null, ChunkError.of(failure.errorCode(), failure.getMessage())))
                .doFinally((signal) -> done())
                .subscribe(null, (error) -> logger.warn("Session {}: its failure could not be logged ({})", id,
                        ClusterRedis.message(error)));
            return;
        }
        StreamSession session = stream.session();
        String[] early;
        synchronized (this.earlyAborts) {
            this.running = session;
            early = this.earlyAborts.remove(id);
        }
        logger.debug("Board {} runs session {} from {}", this.boardId, id, key);
        if (early != null) {
            this.manager.abortClaimed(session, early[0], early[1]);
        }
        // One write at a time, in the order the chunks came: a log entry's id must be above the last one's.
        stream.events()
            .ofType(StreamChunk.class)
            .onBackpressureBuffer()
            .concatMap((chunk) -> forward(session, chunk))
            .subscribe();
    }

    /** Writes a chunk of the run to the shared log; after the end chunk, the board may claim again. */
    private Mono<Void> forward(StreamSession session, StreamChunk chunk) {
        if (!chunk.end()) {
            return this.log.append(session.id(), chunk).onErrorResume((error) -> {
                logger.debug("Session {}: chunk {} could not be logged ({})", session.id(), chunk.seq(),
                        ClusterRedis.message(error));
                return Mono.empty();
            });
        }
        return this.log.end(session.id(), "running", this.boardId, session.state(), chunk).then().onErrorResume(
                (error) -> {
                    logger.warn("Session {}: its end could not be logged ({})", session.id(),
                            ClusterRedis.message(error));
                    return Mono.empty();
                })
            .doFinally((signal) -> done());
    }

    private void done() {
        this.running = null;
        this.current = null;
        wake();
    }

    /** {@code <session id> <finish reason> [<cause>]} from another gateway: stops the run if it is this board's. */
    private void abortRequested(String message) {
        String[] parts = message.split(" ", 3);
        if (parts.length < 2) {
            return;
        }
        String[] abort = { parts[1], (parts.length > 2) ? parts[2] : null };
        StreamSession session;
        synchronized (this.earlyAborts) {
            session = this.running;
            if (session == null || !session.id().equals(parts[0])) {
                this.earlyAborts.put(parts[0], abort);
                if (this.earlyAborts.size() > EARLY_ABORTS) {
                    this.earlyAborts.remove(this.earlyAborts.keySet().iterator().next());
                }
                return;
            }
        }
        this.manager.abortClaimed(session, abort[0], abort[1]);
    }

    private void wake() {
        synchronized (this.signal) {
            this.signal.notifyAll();
        }
    }

    private void await(Duration most) {
        synchronized (this.signal) {
            try {
                this.signal.wait(most.toMillis());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                this.claiming = false;
            }
        }
    }

}
