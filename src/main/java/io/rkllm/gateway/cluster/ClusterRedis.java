package io.rkllm.gateway.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's connections to the shared Redis, opened on first use and again after a failed attempt (Redis may be
 * down when the gateway starts): one for commands, one for the log reader's blocking reads, one for pub/sub. While
 * Redis is unreachable commands fail at once rather than wait, and the last failure is the reason the gateway gives.
 */
public final class ClusterRedis implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ClusterRedis.class);

    /** How long a command waits for its answer; a blocking read asks Redis for less. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);

    /** Reconnect attempts while Redis is away: soon at first, then once a second, so a board is back within one. */
    private static final Delay RECONNECT = Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2,
            TimeUnit.MILLISECONDS);

    private final ClientResources resources = DefaultClientResources.builder().reconnectDelay(RECONNECT).build();

    private final RedisClient client;

    /** Where Redis is, without a password, for messages. */
    private final String where;

    private @Nullable StatefulRedisConnection<String, String> commands;

    private @Nullable StatefulRedisConnection<String, String> reads;

    private @Nullable StatefulRedisPubSubConnection<String, String> pubSub;

    private volatile @Nullable String failure = "not connected yet";

    public ClusterRedis(URI url) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(COMMAND_TIMEOUT);
        this.where = url.getHost() + ":" + ((url.getPort() > 0) ? url.getPort() : RedisURI.DEFAULT_REDIS_PORT);
        this.client = RedisClient.create(this.resources, uri);
        this.client.setOptions(ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    }

    /** Commands that answer at once. */
    synchronized RedisCommands<String, String> sync() {
        return commandConnection().sync();
    }

    /** The same connection, for writes that nobody waits for (a run's chunks): they go out in call order. */
    synchronized RedisAsyncCommands<String, String> async() {
        return commandConnection().async();
    }

    /** The connection of the log reader's blocking reads, which would hold up any other command behind them. */
    synchronized RedisCommands<String, String> reads() {
        if (this.reads == null) {
            this.reads = this.client.connect();
        }
        return this.reads.sync();
    }

    /** Subscribes {@code listener} to {@code channel} (once; Lettuce subscribes again after a reconnect). */
    synchronized void subscribe(String channel, Consumer<String> listener) {
        if (this.pubSub == null) {
            this.pubSub = this.client.connectPubSub();
        }
        this.pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String message) {
                if (from.equals(channel)) {
                    listener.accept(message);
                }
            }
        });
        this.pubSub.sync().subscribe(channel);
    }

    /** Runs one of {@link ClusterScripts} and answers its integer. */
    long script(String script, String[] keys, String... args) {
        Long answer = sync().eval(script, ScriptOutputType.INTEGER, keys, args);
        return (answer != null) ? answer : -1;
    }

    private StatefulRedisConnection<String, String> commandConnection() {
        if (this.commands == null) {
            this.commands = this.client.connect();
        }
        return this.commands;
    }

    /** Checks that Redis answers, and records why when it does not; returns whether it does. */
    boolean check() {
        try {
            sync().ping();
            reachable();
            return true;
        }
        catch (RuntimeException ex) {
            unreachable(ex);
            return false;
        }
    }

    /** Redis answered. */
    void reachable() {
        if (this.failure != null) {
            logger.info("The cluster's Redis at {} is reachable", this.where);
            this.failure = null;
        }
    }

    /** A command failed for want of Redis: the gateway takes no runs until it answers again. */
    void unreachable(RuntimeException cause) {
        String reason = "the cluster's Redis at " + this.where + " is unreachable (" + cause.getMessage() + ")";
        if (this.failure == null) {
            logger.warn("{}: new runs are refused until it is back", reason);
        }
        this.failure = reason;
    }

    /** Why Redis cannot be used now, or null. */
    @Nullable String failure() {
        return this.failure;
    }

    @Override
    public synchronized void close() {
        this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        this.resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

}
