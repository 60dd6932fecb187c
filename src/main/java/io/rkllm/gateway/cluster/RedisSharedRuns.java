package io.rkllm.gateway.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.sync.RedisCommands;
import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.stream.BoardStatus;
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
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's side of the shared queue and session log: queues the runs it accepts as jobs of their model's Redis
 * stream, follows the logs of the sessions it serves (one reader thread, one blocking read for all of them), fails the
 * runs that wait longer than the max wait, ends as {@code worker_lost} the runs whose board stopped its heartbeats,
 * and sends aborts to the board that runs the session.
 */
public final class RedisSharedRuns implements SharedRuns, AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(RedisSharedRuns.class);

    /** How long one blocking read waits before it looks at the sessions followed again. */
    private static final Duration READ_BLOCK = Duration.ofSeconds(1);

    /** How long the reader waits before it tries again when Redis is away. */
    private static final Duration RETRY = Duration.ofMillis(500);

    private final ClusterRedis redis;

    private final SharedLog log;

    private final JsonMapper json;

    private final QueueProperties queue;

    private final Duration lease;

    private final Clock clock;

    private final String gatewayId;

    /** The sessions whose log is read here, by session id: the entry after {@code lastId} comes next. */
    private final Map<String, Follow> follows = new ConcurrentHashMap<>();

    /** The runs this gateway queued and that have not started yet, by session id. */
    private final Map<String, Queued> queued = new ConcurrentHashMap<>();

    private final Thread reader;

    private volatile boolean open = true;

    private String wakeLast = "0-0";

    public RedisSharedRuns(ClusterRedis redis, SharedLog log, JsonMapper json, QueueProperties queue,
            Duration lease, Clock clock, String gatewayId) {
        this.redis = redis;
        this.log = log;
        this.json = json;
        this.queue = queue;
        this.lease = lease;
        this.clock = clock;
        this.gatewayId = gatewayId;
        this.reader = new Thread(this::readLogs, "rkllm-cluster-log");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    @Override
    public Mono<Void> submit(RunRequest request, SessionFeed feed) {
        return Mono.fromRunnable(() -> submitNow(request, feed));
    }

    private void submitNow(RunRequest request, SessionFeed feed) {
        refuseWhenUnreachable();
        StreamSession session = feed.session();
        String id = session.id();
        String queueKey = ClusterKeys.queue(String.valueOf(session.model()));
        String owner = (session.owner().keyName() != null) ? session.owner().keyName() : "";
        String job;
        try {
            job = this.redis.sync()
                .eval(ClusterScripts.SUBMIT, ScriptOutputType.VALUE, new String[] { queueKey, ClusterKeys.session(id) },
                        Integer.toString(this.queue.capacity()), this.log.ttlMillis(), id,
                        this.json.writeValueAsString(request), owner, "owner", owner, "transport",
                        session.transport(), "model", String.valueOf(session.model()), "created",
                        Long.toString(session.created().toEpochMilli()), "gateway", this.gatewayId);
        }
        catch (RedisException ex) {
            this.redis.unreachable(ex);
            throw unreachable();
        }
        if (job == null) {
            throw StreamManager.queueFull(this.queue.capacity());
        }
        feed.abortsTo((reason, cause) -> abort(id, reason, cause));
        this.queued.put(id, new Queued(feed, queueKey, job));
        follow(feed, "0-0");
        this.redis.async().publish(ClusterKeys.JOBS, queueKey);
        updatePosition(this.queued.get(id));
    }

    @Override
    public Mono<SharedSession> find(String id) {
        return Mono.fromCallable(() -> findNow(id).orElse(null));
    }

    private Optional<SharedSession> findNow(String id) {
        Map<String, String> meta;
        try {
            meta = this.redis.sync().hgetall(ClusterKeys.session(id));
        }
        catch (RedisException ex) {
            this.redis.unreachable(ex);
            throw unreachable();
        }
        if (meta.isEmpty() || !meta.containsKey("created")) {
            return Optional.empty();
        }
        String owner = meta.getOrDefault("owner", "");
        return Optional.of(new SharedSession(id, owner.isEmpty() ? null : owner, meta.getOrDefault("transport", "?"),
                meta.getOrDefault("model", "?"), Instant.ofEpochMilli(Long.parseLong(meta.get("created")))));
    }

    @Override
    public void follow(SessionFeed feed) {
        String id = feed.session().id();
        feed.abortsTo((reason, cause) -> abort(id, reason, cause));
        String last = "0-0";
        try {
            for (StreamMessage<String, String> message : this.log.read(id, last)) {
                apply(feed, message);
                last = message.getId();
            }
        }
        catch (RedisException ex) {
            this.redis.unreachable(ex);
        }
        if (feed.session().state().isActive()) {
            follow(feed, last);
        }
    }

    private void follow(SessionFeed feed, String fromId) {
        this.follows.put(feed.session().id(), new Follow(feed, fromId));
        // The reader blocks on the logs it followed until now: a new entry in its wake stream makes it read again.
        this.redis.async().xadd(ClusterKeys.wake(this.gatewayId), new XAddArgs().maxlen(1), "f",
                feed.session().id());
    }

    @Override
    public @Nullable String unavailable() {
        return this.redis.failure();
    }

    @Override
    public List<BoardStatus> boards() {
        List<BoardStatus> boards = new ArrayList<>();
        try {
            RedisCommands<String, String> sync = this.redis.sync();
            for (String board : sync.smembers(ClusterKeys.BOARDS)) {
                Map<String, String> beat = sync.hgetall(ClusterKeys.board(board));
                if (beat.isEmpty()) {
                    sync.srem(ClusterKeys.BOARDS, board);
                    continue;
                }
                String running = beat.getOrDefault("running", "");
                boards.add(new BoardStatus(board, List.of(beat.getOrDefault("models", "").split(",")),
                        beat.getOrDefault("state", "?"), running.isEmpty() ? null : running));
            }
        }
        catch (RedisException ex) {
            this.redis.unreachable(ex);
        }
        boards.sort((a, b) -> a.id().compareTo(b.id()));
        return boards;
    }

    /**
     * Ends a queued session at once (its job leaves the queue); a running one is the board's to stop, which writes its
     * end chunk.
     */
    private void abort(String id, String finishReason, @Nullable String cause) {
        SessionState state = "evicted".equals(finishReason) ? SessionState.EVICTED : SessionState.ABORTED;
        try {
            if (!this.log.end(id, "queued", null, state,
                    new StreamChunk(0, "", true, finishReason, cause, null, null))) {
                this.redis.sync().publish(ClusterKeys.ABORTS, id + " " + finishReason + ((cause != null) ? " " + cause
                        : ""));
            }
        }
        catch (RedisException ex) {
            this.redis.unreachable(ex);
            logger.warn("Session {}: the abort could not be sent ({})", id, ex.getMessage());
        }
    }

    /**
     * What the gateway checks on each tick: whether Redis answers, the positions of its queued runs and whether they
     * waited too long, whether the boards of the sessions it follows are alive, and it keeps those sessions' logs.
     */
    void tick() {
        if (!this.redis.check()) {
            return;
        }
        try {
            for (Queued waiting : List.copyOf(this.queued.values())) {
                if (waiting.feed().session().state() == SessionState.QUEUED) {
                    updatePosition(waiting);
                }
                else {
                    this.queued.remove(waiting.feed().session().id());
                }
            }
            // Every gateway that follows a session watches over it, so that it ends even when the gateway that took
            // it is gone too.
            Instant overdue = this.clock.instant().minus(this.queue.maxWait());
            for (Follow follow : List.copyOf(this.follows.values())) {
                StreamSession session = follow.feed().session();
                if (session.state() == SessionState.QUEUED && session.created().isBefore(overdue)) {
                    expire(session);
                }
                else if (session.state() == SessionState.RUNNING) {
                    checkBoard(session.id());
                }
                if (session.state().isActive() || session.subscribers() > 0) {
                    this.log.keep(session.id());
                }
            }
        }
        catch (RedisException ex) {
            this.redis.unreachable(ex);
        }
    }

    private void expire(StreamSession session) {
        this.log.end(session.id(), "queued", null, SessionState.FAILED, new StreamChunk(0, "", true, "error", null,
                null, ChunkError.of(ErrorCode.QUEUE_FULL, "waited longer than " + this.queue.maxWait()
                        + " (rkllm.queue.max-wait) for a board to run model " + session.model())));
    }

    /** Ends as {@code worker_lost} a running session whose board's heartbeat has expired. */
    private void checkBoard(String id) {
        RedisCommands<String, String> sync = this.redis.sync();
        String board = sync.hget(ClusterKeys.session(id), "board");
        if (board == null || sync.exists(ClusterKeys.board(board)) > 0) {
            return;
        }
        if (this.log.end(id, "running", board, SessionState.FAILED, new StreamChunk(0, "", true, "error",
                "worker_lost", null, ChunkError.of(ErrorCode.INFERENCE_FAILED, "the board that ran this session ("
                        + board + ") sent no heartbeat for rkllm.cluster.lease (" + this.lease + ")")))) {
            logger.warn("Session {}: board {} sent no heartbeat for {}; the session ends as worker_lost", id, board,
                    this.lease);
        }
    }

    /** Counts the jobs before this one in its queue (those started have left it). */
    private void updatePosition(@Nullable Queued waiting) {
        if (waiting == null) {
            return;
        }
        List<StreamMessage<String, String>> ahead = this.redis.sync()
            .xrange(waiting.queueKey(), Range.create("-", waiting.job()));
        if (!ahead.isEmpty()) {
            waiting.feed().queued(ahead.size());
        }
    }

    /** The reader thread: one blocking read over every followed log, until closed. */
    private void readLogs() {
        while (this.open) {
            try {
                readOnce();
            }
            catch (RuntimeException ex) {
                if (!this.open) {
                    return;
                }
                if (ex instanceof RedisException redisFailure) {
                    this.redis.unreachable(redisFailure);
                }
                else {
                    logger.warn("Reading the shared session logs failed", ex);
                }
                pause();
            }
        }
    }

    private void readOnce() {
        Map<String, Follow> byLog = new LinkedHashMap<>();
        List<StreamOffset<String>> offsets = new ArrayList<>();
        String wake = ClusterKeys.wake(this.gatewayId);
        offsets.add(StreamOffset.from(wake, this.wakeLast));
        for (Follow follow : this.follows.values()) {
            String key = ClusterKeys.log(follow.feed().session().id());
            byLog.put(key, follow);
            offsets.add(StreamOffset.from(key, follow.lastId()));
        }
        @SuppressWarnings("unchecked")
        StreamOffset<String>[] streams = offsets.toArray(StreamOffset[]::new);
        List<StreamMessage<String, String>> messages = this.redis.reads()
            .xread(XReadArgs.Builder.block(READ_BLOCK).count(256), streams);
        for (StreamMessage<String, String> message : messages) {
            if (message.getStream().equals(wake)) {
                this.wakeLast = message.getId();
                continue;
            }
            Follow follow = byLog.get(message.getStream());
            if (follow == null) {
                continue;
            }
            follow.lastId(message.getId());
            apply(follow.feed(), message);
            if (!follow.feed().session().state().isActive()) {
                this.follows.remove(follow.feed().session().id(), follow);
            }
        }
    }

    private void apply(SessionFeed feed, StreamMessage<String, String> message) {
        StreamChunk chunk = this.log.decode(message);
        if (chunk == null) {
            feed.running();
        }
        else {
            feed.chunk(chunk);
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            this.open = false;
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

    @Override
    public void close() {
        this.open = false;
        this.reader.interrupt();
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
