package io.rkllm.gateway.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.sync.RedisCommands;
import io.rkllm.gateway.models.ModelCatalogue;
import io.rkllm.gateway.models.ModelFile;
import io.rkllm.gateway.models.ModelState;
import io.rkllm.gateway.models.ModelStatus;
import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.rpc.ClientErrors;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.SessionStream;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamChunk.ChunkError;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamSession;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.json.JsonMapper;

/**
 * This board's part in the cluster: while its runtime is idle it claims the oldest job of the queues of its models
 * (first the jobs of boards whose lease ran out before they started them, then new ones; first for the models it has
 * loaded, then for those of its catalogue that no other board has loaded, so that a model is not loaded on a second
 * board while the first still holds it), runs it through the stream
 * manager's own queue, and writes the run's chunks to the session's shared log; it sends heartbeats, and stops its run
 * when an abort for it comes. On shutdown it claims no more and lets its run finish within the grace time.
 */
public final class BoardWorker implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(BoardWorker.class);

    /** The queue of runs that name no model: every board runs them on its default model. */
    static final String DEFAULT_QUEUE = "default";

    /** How long an idle board waits for news of a job before it looks again. */
    private static final Duration LOOK_AGAIN = Duration.ofMillis(500);

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

    /** Aborts that came for the session being started here, before its run existed. */
    private final Map<String, String[]> earlyAborts = new ConcurrentHashMap<>();

    /** The session this board has claimed and not yet ended in the log; null when it may claim. */
    private volatile @Nullable String current;

    private volatile @Nullable StreamSession running;

    private volatile boolean claiming;

    private volatile boolean subscribed;

    private @Nullable Thread claimer;

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
        this.claimer = thread;
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
        try {
            this.redis.sync().del(ClusterKeys.board(this.boardId));
        }
        catch (RedisException ex) {
            logger.debug("Board {} could not say it left: {}", this.boardId, ex.getMessage());
        }
    }

    @Override
    public boolean isRunning() {
        return this.claiming;
    }

    /** Stops after the stream manager has ended the sessions that this gateway's clients hold. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }

    /** The heartbeat: this board, its queues and what it does, for another lease. */
    void heartbeat() {
        if (!this.redis.check()) {
            return;
        }
        try {
            subscribeOnce();
            String session = this.current;
            RedisCommands<String, String> sync = this.redis.sync();
            String key = ClusterKeys.board(this.boardId);
            sync.hset(key, Map.of("models", String.join(",", queues()), "resident", String.join(",", loaded()),
                    "state", (session == null && this.manager.idle()) ? "idle" : "busy", "running",
                    (session != null) ? session : ""));
            sync.pexpire(key, this.lease.toMillis());
            sync.sadd(ClusterKeys.BOARDS, this.boardId);
            if (session != null) {
                this.log.keep(session);
            }
        }
        catch (RedisException ex) {
            this.redis.unreachable(ex);
        }
    }

    private void subscribeOnce() {
        if (!this.subscribed) {
            this.redis.subscribe(ClusterKeys.JOBS, (queue) -> wake());
            this.redis.subscribe(ClusterKeys.ABORTS, this::abortRequested);
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
    private List<String> claimOrder(RedisCommands<String, String> sync) {
        Set<String> order = new LinkedHashSet<>();
        order.add(DEFAULT_QUEUE);
        order.addAll(loaded());
        Set<String> elsewhere = new HashSet<>();
        for (String board : sync.smembers(ClusterKeys.BOARDS)) {
            String resident = board.equals(this.boardId) ? null : sync.hget(ClusterKeys.board(board), "resident");
            if (resident != null && !resident.isEmpty()) {
                elsewhere.addAll(List.of(resident.split(",")));
            }
        }
        queues().stream().filter((queue) -> !elsewhere.contains(queue)).forEach(order::add);
        return order.stream().map(ClusterKeys::queue).toList();
    }

    private void claimLoop() {
        while (this.claiming) {
            boolean claimed = false;
            if (this.current == null && this.redis.failure() == null && this.manager.idle()) {
                try {
                    claimed = claimNext();
                }
                catch (RedisCommandExecutionException ex) {
                    // NOGROUP: Redis lost its data (a restart without persistence); the groups are made again.
                    logger.warn("Board {}: claiming a job failed ({})", this.boardId, ex.getMessage());
                    this.grouped.clear();
                }
                catch (RedisException ex) {
                    this.redis.unreachable(ex);
                    this.grouped.clear();
                }
                catch (RuntimeException ex) {
                    logger.warn("Board {}: claiming a job failed", this.boardId, ex);
                }
            }
            if (!claimed) {
                await(LOOK_AGAIN);
            }
        }
    }

    /** Claims and starts the oldest job this board can run; false when there is none. */
    private boolean claimNext() {
        RedisCommands<String, String> sync = this.redis.sync();
        Consumer<String> me = Consumer.from(ClusterKeys.GROUP, this.boardId);
        List<String> keys = claimOrder(sync);
        keys.forEach(this::ensureGroup);
        for (String key : keys) {
            // A job claimed by a board whose lease ran out before it started it goes first: it was at the head.
            List<StreamMessage<String, String>> abandoned = sync
                .xautoclaim(key, XAutoClaimArgs.Builder.xautoclaim(me, this.lease, "0-0").count(1))
                .getMessages();
            if (!abandoned.isEmpty()) {
                run(key, abandoned.get(0));
                return true;
            }
        }
        for (String key : keys) {
            List<StreamMessage<String, String>> fresh = sync.xreadgroup(me, XReadArgs.Builder.count(1),
                    StreamOffset.lastConsumed(key));
            if (!fresh.isEmpty()) {
                run(key, fresh.get(0));
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
            this.redis.sync().xgroupCreate(StreamOffset.from(key, "0-0"), ClusterKeys.GROUP,
                    XGroupCreateArgs.Builder.mkstream());
        }
        catch (RedisBusyException ex) {
            // The group exists: another board made it.
        }
        this.grouped.add(key);
    }

    /** Starts a claimed job's session here, unless it ended while it waited; the job then leaves the queue. */
    private void run(String key, StreamMessage<String, String> job) {
        String id = job.getBody().get("session");
        this.current = id;
        boolean started;
        try {
            started = id != null && this.log.start(id, this.boardId);
        }
        catch (RuntimeException ex) {
            done();
            throw ex;
        }
        try {
            RedisCommands<String, String> sync = this.redis.sync();
            sync.xack(key, ClusterKeys.GROUP, job.getId());
            sync.xdel(key, job.getId());
        }
        catch (RedisException ex) {
            // Left pending: the board that claims it after the lease drops it, its session being no longer queued.
            logger.debug("Board {}: job {} stays pending ({})", this.boardId, job.getId(), ex.getMessage());
        }
        if (!started) {
            done();
            return;
        }
        SessionStream stream;
        try {
            RunRequest request = this.json.readValue(job.getBody().get("request"), RunRequest.class);
            String owner = job.getBody().getOrDefault("owner", "");
            stream = this.manager.runClaimed(id, request,
                    new Caller(owner.isEmpty() ? null : owner, false, "cluster", true));
        }
        catch (RuntimeException ex) {
            GatewayException failure = (ex instanceof GatewayException known) ? known
                    : ClientErrors.translate(ex, "The claimed run of session " + id);
            this.log.end(id, "running", this.boardId, SessionState.FAILED, new StreamChunk(0, "", true, "error",
                    null, null, ChunkError.of(failure.errorCode(), failure.getMessage())));
            done();
            return;
        }
        StreamSession session = stream.session();
        this.running = session;
        logger.debug("Board {} runs session {} from {}", this.boardId, id, key);
        String[] early = this.earlyAborts.remove(id);
        if (early != null) {
            this.manager.abortClaimed(session, early[0], early[1]);
        }
        stream.events().ofType(StreamChunk.class).subscribe((chunk) -> forward(session, chunk));
    }

    /** Writes a chunk of the run to the shared log; after the end chunk, the board may claim again. */
    private void forward(StreamSession session, StreamChunk chunk) {
        if (!chunk.end()) {
            this.log.append(session.id(), chunk);
            return;
        }
        this.log.endAsync(session.id(), this.boardId, session.state(), chunk).whenComplete((seq, error) -> {
            if (error != null) {
                logger.warn("Session {}: its end could not be logged ({})", session.id(), error.getMessage());
            }
            done();
        });
    }

    private void done() {
        this.running = null;
        this.current = null;
        wake();
    }

    /** {@code <session id> <finish reason> [<cause>]} from another gateway: stops the run if it is this board's. */
    private void abortRequested(String message) {
        String[] parts = message.split(" ", 3);
        if (parts.length < 2 || !parts[0].equals(this.current)) {
            return;
        }
        String cause = (parts.length > 2) ? parts[2] : null;
        StreamSession session = this.running;
        if (session != null && session.id().equals(parts[0])) {
            this.manager.abortClaimed(session, parts[1], cause);
        }
        else {
            this.earlyAborts.put(parts[0], new String[] { parts[1], cause });
        }
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
