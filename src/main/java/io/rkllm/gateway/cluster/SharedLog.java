package io.rkllm.gateway.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.StreamChunk;
import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.RedisStreamCommands.XAddOptions;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamRecords;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sessions' logs in Redis: a board appends a run's chunks, anyone ends a session through {@link ClusterScripts},
 * and every gateway reads them back as the chunks the board numbered. Logs and metadata expire after the idle timeout
 * unless someone keeps them (a running board, a reader).
 */
public final class SharedLog {

    private final ClusterRedis redis;

    private final JsonMapper json;

    private final Duration ttl;

    private final int replayLimit;

    public SharedLog(ClusterRedis redis, JsonMapper json, Duration idleTimeout, int replayLimit) {
        this.redis = redis;
        this.json = json;
        this.ttl = idleTimeout;
        this.replayLimit = replayLimit;
    }

    /** How long a session's metadata and log are kept after their last use: the idle timeout. */
    Duration ttl() {
        return this.ttl;
    }

    String ttlMillis() {
        return Long.toString(this.ttl.toMillis());
    }

    /** Appends a chunk; a board appends its chunks one after another, as the entry ids must grow. */
    Mono<Void> append(String id, StreamChunk chunk) {
        MapRecord<String, String, String> entry = StreamRecords.newRecord()
            .in(ClusterKeys.log(id))
            .withId(RecordId.of(ClusterKeys.entryId(chunk.seq())))
            .ofMap(Map.of("c", this.json.writeValueAsString(chunk)));
        XAddOptions trim = XAddOptions.none()
            .minId(RecordId.of(ClusterKeys.trimBelow(chunk.seq(), this.replayLimit)))
            .approximateTrimming(false);
        return this.redis.ops().opsForStream().add(entry, trim).then();
    }

    /**
     * Ends a session that is in state {@code expected} ({@code queued}, {@code running}, {@code active}) and, when
     * {@code board} is given, runs there; the end chunk's seq follows the last one logged.
     *
     * @return whether this ended it
     */
    Mono<Boolean> end(String id, String expected, @Nullable String board, SessionState state, StreamChunk last) {
        return this.redis.script(ClusterScripts.END, keys(id), expected, (board != null) ? board : "",
                state.wireName(), this.json.writeValueAsString(last), ttlMillis(), Integer.toString(this.replayLimit),
                id)
            .map((seq) -> seq >= 0);
    }

    /** Keeps a session's metadata and log for another idle timeout. */
    Mono<Void> keep(String id) {
        return Flux.fromIterable(keys(id)).flatMap((key) -> this.redis.ops().expire(key, ttl())).then();
    }

    /** The entries of a session's log after {@code afterId}. */
    Flux<MapRecord<String, Object, Object>> read(String id, String afterId) {
        return this.redis.ops()
            .opsForStream()
            .range(ClusterKeys.log(id), Range.of(Range.Bound.exclusive(afterId), Range.Bound.unbounded()));
    }

    /** The chunk of a log entry, numbered by its entry id; null for the entry that says a board started the run. */
    @Nullable StreamChunk decode(MapRecord<String, ?, ?> entry) {
        Object chunk = entry.getValue().get("c");
        if (chunk == null) {
            return null;
        }
        StreamChunk read = this.json.readValue(chunk.toString(), StreamChunk.class);
        return new StreamChunk(ClusterKeys.seqOf(entry.getId().getValue()), read.delta(), read.end(),
                read.finishReason(), read.reason(), read.perf(), read.error());
    }

    private static List<String> keys(String id) {
        return List.of(ClusterKeys.session(id), ClusterKeys.log(id));
    }

}
