package io.rkllm.gateway.stream;

/**
 * What one run may ask and one client (a key, else a remote address) may ask of the NPU, so that no input costs more
 * than its size and no client holds the whole queue.
 *
 * @param maxQueued runs of one client waiting at once at most; 0 for no limit
 * @param requestsPerMinute runs one client may start per minute, as a token bucket of that size that refills at that
 * rate; 0 for no limit
 * @param maxInputBytes the input of one run at most, in bytes: a prompt's UTF-8, 4 per token id or embedding float
 */
public record RunLimits(int maxQueued, int requestsPerMinute, long maxInputBytes) {

    /** No limit. */
    public static final RunLimits NONE = new RunLimits(0, 0, Long.MAX_VALUE);

}
