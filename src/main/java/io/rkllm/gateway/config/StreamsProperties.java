package io.rkllm.gateway.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code rkllm.streams.*} settings: how many sessions live at once, how much of each is kept, when idle ones go.
 *
 * @param maxSessions live sessions at most; past it a new run is refused (-32002)
 * @param replayLimit chunks kept per session for late subscribers, reconnects and poll
 * @param idleTimeout a session with no subscriber and no client call for this long is evicted
 * @param evictionInterval how often idle sessions are looked for
 * @param heartbeat how often an SSE stream sends a keep-alive comment and a WebSocket gets a ping
 */
@ConfigurationProperties("rkllm.streams")
public record StreamsProperties(@DefaultValue("256") int maxSessions, @DefaultValue("4096") int replayLimit,
        @DefaultValue("30s") Duration idleTimeout, @DefaultValue("5s") Duration evictionInterval,
        @DefaultValue("15s") Duration heartbeat) {

    public StreamsProperties {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("rkllm.streams.max-sessions must be at least 1, got " + maxSessions);
        }
        if (replayLimit < 1) {
            throw new IllegalArgumentException("rkllm.streams.replay-limit must be at least 1, got " + replayLimit);
        }
        requirePositive("idle-timeout", idleTimeout);
        requirePositive("eviction-interval", evictionInterval);
        requirePositive("heartbeat", heartbeat);
    }

    static void requirePositive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("rkllm.streams." + key + " must be positive, got " + value);
        }
    }

}
