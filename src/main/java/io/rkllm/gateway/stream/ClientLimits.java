package io.rkllm.gateway.stream;

/**
 * What one client (a key, else a remote address) may ask of the NPU, so that no client holds the whole queue.
 *
 * @param maxQueued runs of one client waiting at once at most; 0 for no limit
 * @param requestsPerMinute runs one client may start per minute, as a token bucket of that size that refills at that
 * rate; 0 for no limit
 */
public record ClientLimits(int maxQueued, int requestsPerMinute) {

    /** No per-client limit. */
    public static final ClientLimits NONE = new ClientLimits(0, 0);

}
