package io.rkllm.gateway.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.lettuce.core.RedisException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The gateway's use of the shared Redis, through the reactive template of the Lettuce connection factory that Spring
 * Boot manages (one shared connection for commands, a dedicated one for the log reader's blocking reads, one for
 * pub/sub, each reconnecting by itself). While Redis is unreachable commands fail at once rather than wait, and the
 * last failure is the reason the gateway gives.
 */
public final class ClusterRedis {

    private static final Logger logger = LoggerFactory.getLogger(ClusterRedis.class);

    /** How long a command waits for its answer; a blocking read asks Redis for less. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);

    /** How long a subscription waits before it subscribes again after its connection failed. */
    private static final Duration RESUBSCRIBE = Duration.ofMillis(500);

    private final ReactiveStringRedisTemplate template;

    /** Where Redis is, without a password, for messages. */
    private final String where;

    private volatile @Nullable String failure = "not connected yet";

    public ClusterRedis(ReactiveStringRedisTemplate template, String where) {
        this.template = template;
        this.where = where;
    }

    /** Every command, as Monos and Fluxes that nothing waits for on the caller's thread. */
    ReactiveStringRedisTemplate ops() {
        return this.template;
    }

    /** Runs one of {@link ClusterScripts} and answers its result. */
    <T> Mono<T> script(RedisScript<T> script, List<String> keys, String... args) {
        return this.template.execute(script, keys, List.of((Object[]) args)).next();
    }

    /**
     * Subscribes {@code listener} to {@code channel}, and again whenever the subscription's connection fails, until
     * the answer is disposed of.
     */
    Disposable subscribe(String channel, Consumer<String> listener) {
        return this.template.listenTo(ChannelTopic.of(channel))
            .doOnNext((message) -> listener.accept(message.getMessage()))
            .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, RESUBSCRIBE))
            .subscribe();
    }

    /** Whether Redis answers; records why when it does not. */
    Mono<Boolean> check() {
        return this.template.execute((connection) -> connection.ping())
            .next()
            .timeout(COMMAND_TIMEOUT)
            .map((pong) -> {
                reachable();
                return true;
            })
            .onErrorResume((ex) -> {
                unreachable(ex);
                return Mono.just(false);
            });
    }

    /** Redis answered. */
    void reachable() {
        if (this.failure != null) {
            logger.info("The cluster's Redis at {} is reachable", this.where);
            this.failure = null;
        }
    }

    /** A command failed for want of Redis: the gateway takes no runs until it answers again. */
    void unreachable(Throwable cause) {
        String reason = "the cluster's Redis at " + this.where + " is unreachable (" + message(cause) + ")";
        if (this.failure == null) {
            logger.warn("{}: new runs are refused until it is back", reason);
        }
        this.failure = reason;
    }

    /** Why Redis cannot be used now, or null. */
    @Nullable String failure() {
        return this.failure;
    }

    /** A key as the connection's own commands take it (those the template does not offer). */
    static ByteBuffer raw(String key) {
        return ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a failure is Redis's (unreachable, timed out, refused a command), not a fault of the gateway's. */
    static boolean isRedisFailure(Throwable failure) {
        return failure instanceof DataAccessException || failure instanceof RedisException
                || failure instanceof TimeoutException;
    }

    /** The innermost message, which says what Redis or the network said rather than how Spring wrapped it. */
    static String message(Throwable failure) {
        Throwable inner = failure;
        while (inner.getCause() != null && inner.getCause() != inner) {
            inner = inner.getCause();
        }
        return (inner.getMessage() != null) ? inner.getMessage() : inner.getClass().getSimpleName();
    }

}
