package io.rkllm.gateway.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.StreamChunk;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sessions' logs in Redis: a board appends a run's chunks, anyone ends a session through {@link ClusterScripts},
 * and every gateway reads them back as the chunks the board numbered. Logs and metadata expire after the idle timeout
 * unless someone keeps them (a running board, a reader).
 */
public final class SharedLog {

    private final ClusterRedis redis;

    private final JsonMapper json;

    private final String ttlMillis;

    private final int replayLimit;

    public SharedLog(ClusterRedis redis, JsonMapper json, Duration idleTimeout, int replayLimit) {
        this.redis = redis;
        this.json = json;
        this.ttlMillis = Long.toString(idleTimeout.toMillis());
        this.replayLimit = replayLimit;
    }

    String ttlMillis() {
        return this.ttlMillis;
    }

    /** Starts a queued session on {@code board}; false when it was no longer queued. */
    boolean start(String id, String board) {
        return this.redis.script(ClusterScripts.START, keys(id), board, this.ttlMillis) == 1;
    }

    /** Appends a chunk, without waiting: a board's chunks go out in the order they came. */
    void append(String id, StreamChunk chunk) {
        XAddArgs args = new XAddArgs().id(ClusterKeys.entryId(chunk.seq()))
            .minId(ClusterKeys.trimBelow(chunk.seq(), this.replayLimit))
            .exactTrimming();
        this.redis.async().xadd(ClusterKeys.log(id), args, "c", this.json.writeValueAsString(chunk));
    }

    /**
     * Ends a session that is in state {@code expected} ({@code queued}, {@code running}, {@code active}) and, when
     * {@code board} is given, runs there; the end chunk's seq follows the last one logged.
     *
     * @return whether this ended it
     */
    boolean end(String id, String expected, @Nullable String board, SessionState state, StreamChunk last) {
        return this.redis.script(ClusterScripts.END, keys(id), endArgs(expected, board, state, last)) >= 0;
    }

    /** {@link #end} without waiting, for the board that ran the session: it completes once Redis has it. */
    CompletionStage<Long> endAsync(String id, String board, SessionState state, StreamChunk last) {
        return this.redis.async()
            .eval(ClusterScripts.END, ScriptOutputType.INTEGER, keys(id), endArgs("running", board, state, last));
    }

    private String[] endArgs(String expected, @Nullable String board, SessionState state, StreamChunk last) {
        return new String[] { expected, (board != null) ? board : "", state.wireName(),
                this.json.writeValueAsString(last), this.ttlMillis, Integer.toString(this.replayLimit) };
    }

    /** Keeps a session's metadata and log for another idle timeout. */
    void keep(String id) {
        this.redis.async().pexpire(ClusterKeys.session(id), Long.parseLong(this.ttlMillis));
        this.redis.async().pexpire(ClusterKeys.log(id), Long.parseLong(this.ttlMillis));
    }

    /** The entries of a session's log after {@code afterId}. */
    List<StreamMessage<String, String>> read(String id, String afterId) {
        return this.redis.sync().xrange(ClusterKeys.log(id), Range.from(Range.Boundary.excluding(afterId),
                Range.Boundary.unbounded()));
    }

    /** The chunk of a log entry, numbered by its entry id; null for the entry that says a board started the run. */
    @Nullable StreamChunk decode(StreamMessage<String, String> message) {
        String chunk = message.getBody().get("c");
        if (chunk == null) {
            return null;
        }
        StreamChunk read = this.json.readValue(chunk, StreamChunk.class);
        return new StreamChunk(ClusterKeys.seqOf(message.getId()), read.delta(), read.end(), read.finishReason(),
                read.reason(), read.perf(), read.error());
    }

    private static String[] keys(String id) {
        return new String[] { ClusterKeys.session(id), ClusterKeys.log(id) };
    }

}
