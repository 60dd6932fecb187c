package io.rkllm.gateway.cluster;

/**
 * Where the cluster keeps what in Redis. A session's chunk {@code seq} is its log entry's id {@code (seq+1)-0}, so a
 * {@code Last-Event-ID} names the same entry on every gateway; the log's status entries ({@code 0-n}) precede them.
 */
final class ClusterKeys {

    /** The consumer group of every queue: the boards. */
    static final String GROUP = "boards";

    /** The ids of the boards that sent heartbeats (each one's key expires with its lease). */
    static final String BOARDS = "rkllm:boards";

    /** Pub/sub: {@code <session id> <finish reason> [<cause>]}, for the board that runs the session. */
    static final String ABORTS = "rkllm:aborts";

    /** The field of a running session's metadata that asks its board to stop it: {@code <finish reason> [<cause>]}. */
    static final String ABORT_FIELD = "abort";

    /** Pub/sub: a job was queued, so that idle boards claim it without waiting for their next look. */
    static final String JOBS = "rkllm:jobs";

    private ClusterKeys() {
    }

    /** The queue of the runs for one model (as requests name it). */
    static String queue(String model) {
        return "rkllm:queue:" + model;
    }

    /** A session's metadata hash; the braces keep it and its log in one Redis Cluster slot. */
    static String session(String id) {
        return "rkllm:session:{" + id + "}";
    }

    static String log(String id) {
        return "rkllm:session:{" + id + "}:log";
    }

    /** A board's heartbeat hash, which expires with its lease. */
    static String board(String id) {
        return "rkllm:board:" + id;
    }

    /** The sessions a client has waiting in any queue, by when they were queued: its max-queued-per-client count. */
    static String clientQueued(String clientId) {
        return "rkllm:client:" + clientId + ":queued";
    }

    /** A client's request bucket (rkllm.limits.requests-per-minute), shared by every gateway. */
    static String clientBucket(String clientId) {
        return "rkllm:client:" + clientId + ":bucket";
    }

    /** A stream that only wakes one gateway's log reader when it follows a new session. */
    static String wake(String gatewayId) {
        return "rkllm:wake:" + gatewayId;
    }

    /** The log entry id of chunk {@code seq}. */
    static String entryId(long seq) {
        return (seq + 1) + "-0";
    }

    /** The seq of the chunk at a log entry id, or -1 for a status entry. */
    static long seqOf(String entryId) {
        return Long.parseLong(entryId.substring(0, entryId.indexOf('-'))) - 1;
    }

    /** The lowest entry id kept when chunk {@code seq} is the newest of at most {@code limit} kept chunks. */
    static String trimBelow(long seq, int limit) {
        return Math.max(0, seq - limit + 2) + "-0";
    }

}
