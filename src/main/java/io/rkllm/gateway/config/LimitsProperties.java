package io.rkllm.gateway.config;

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
 */
@ConfigurationProperties("rkllm.limits")
public record LimitsProperties(@DefaultValue("32") int maxBatch, @DefaultValue("1MB") DataSize maxRequestBytes,
        @DefaultValue("4") int maxQueuedPerClient, @DefaultValue("0") int requestsPerMinute,
        @DefaultValue("64") int maxDepth, @DefaultValue("256") int maxIdLength,
        @DefaultValue("256KB") DataSize maxPromptBytes) {

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
    }

}
