package io.rkllm.gateway.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The {@code rkllm.limits.*} settings: how much one HTTP request may ask, and one client.
 *
 * @param maxBatch requests in one JSON-RPC batch at most
 * @param maxRequestBytes a larger request body is refused with HTTP 413
 * @param maxQueuedPerClient runs of one client (a key, else a remote address) waiting at once at most; 0 for no limit
 * @param requestsPerMinute runs one client may start per minute (a token bucket of that size); 0 for no limit
 * @param maxDepth JSON nesting levels of a request at most; deeper is a parse error (-32700)
 * @param maxIdLength characters of a JSON-RPC id at most (a number's digits too); longer is -32600
 * @param maxPromptBytes the input of one run at most (a prompt's UTF-8 bytes, 4 per token id or embedding float);
 * more is -32602, on every API
 * @param maxConnections open connections at most, streams not counted; past it a new connection gets 503 (health
 * probes excepted). Keep it and max-streams well below the process's open-file limit
 * @param maxStreams open streams at most (SSE responses, WebSockets); past it a new one gets 503
 * @param idleTimeout a connection that sends no request for this long is closed
 * @param readTimeout a request whose body stops arriving for this long is dropped
 * @param requestTimeout a request whose body has not arrived whole after this long is dropped
 * @param headerTimeout a request whose line and headers have not arrived whole this long after its first byte gets
 * 408 and its connection is closed (the idle timeout starts again at every byte, so it cannot bound them)
 */
@ConfigurationProperties("rkllm.limits")
public record LimitsProperties(@DefaultValue("32") int maxBatch, @DefaultValue("1MB") DataSize maxRequestBytes,
        @DefaultValue("4") int maxQueuedPerClient, @DefaultValue("0") int requestsPerMinute,
        @DefaultValue("64") int maxDepth, @DefaultValue("256") int maxIdLength,
        @DefaultValue("256KB") DataSize maxPromptBytes, @DefaultValue("1024") int maxConnections,
        @DefaultValue("8192") int maxStreams, @DefaultValue("60s") Duration idleTimeout,
        @DefaultValue("20s") Duration readTimeout, @DefaultValue("60s") Duration requestTimeout,
        @DefaultValue("10s") Duration headerTimeout) {

    public LimitsProperties {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("rkllm.limits.max-batch must be at least 1, got " + maxBatch);
        }
        if (maxRequestBytes.toBytes() < 1024) {
            throw new IllegalArgumentException("rkllm.limits.max-request-bytes must be at least 1KB");
        }
        if (maxQueuedPerClient < 0) {
            throw new IllegalArgumentException(
                    "rkllm.limits.max-queued-per-client must not be negative, got " + maxQueuedPerClient);
        }
        if (requestsPerMinute < 0) {
            throw new IllegalArgumentException(
                    "rkllm.limits.requests-per-minute must not be negative, got " + requestsPerMinute);
        }
        if (maxDepth < 8) {
            throw new IllegalArgumentException("rkllm.limits.max-depth must be at least 8, got " + maxDepth);
        }
        if (maxIdLength < 16) {
            throw new IllegalArgumentException("rkllm.limits.max-id-length must be at least 16, got " + maxIdLength);
        }
        if (maxPromptBytes.toBytes() < 1) {
            throw new IllegalArgumentException("rkllm.limits.max-prompt-bytes must be positive");
        }
        if (maxConnections < 1 || maxStreams < 1) {
            throw new IllegalArgumentException("rkllm.limits.max-connections and max-streams must be at least 1");
        }
        for (Duration timeout : new Duration[] { idleTimeout, readTimeout, requestTimeout, headerTimeout }) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("rkllm.limits.idle-timeout, read-timeout, request-timeout and "
                        + "header-timeout must be positive, got " + timeout);
            }
        }
    }

}
