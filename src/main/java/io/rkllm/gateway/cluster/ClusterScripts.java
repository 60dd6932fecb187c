package io.rkllm.gateway.cluster;

/**
 * The Lua scripts that change a session's state: Redis runs each as one step, so a queued session is either started
 * by one board or ended (aborted, expired) by one gateway, never both, and a session's end chunk is written once.
 */
final class ClusterScripts {

    /**
     * Queues a job unless its queue is full. KEYS: queue, session. ARGV: capacity, ttl ms, session id, request json,
     * owner key ('' for none), then metadata field/value pairs. Returns the job's id, or nil when full.
     */
    static final String SUBMIT = """
            if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
            local job = redis.call('XADD', KEYS[1], '*', 'session', ARGV[3], 'request', ARGV[4], 'owner', ARGV[5])
            redis.call('HSET', KEYS[2], 'state', 'queued', 'queue', KEYS[1], 'job', job, unpack(ARGV, 6))
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            return job
            """;

    /**
     * Starts a queued session on a board. KEYS: session, log. ARGV: board, ttl ms. Returns 1, or 0 when the session is
     * no longer queued (aborted, expired, gone).
     */
    static final String START = """
            if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return 0 end
            local t = redis.call('TIME')
            redis.call('HSET', KEYS[1], 'state', 'running', 'board', ARGV[1],
                'started', t[1] .. string.format('%06d', tonumber(t[2])))
            redis.call('XADD', KEYS[2], '0-1', 's', 'running')
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            return 1
            """;

    /**
     * Ends a session with its end chunk, numbered after the last chunk logged. KEYS: session, log. ARGV: the state it
     * must be in ({@code queued}, {@code running} or {@code active} for either), the board that must run it ('' for
     * any), its final state, the end chunk's JSON, ttl ms, replay limit. A queued session's job leaves its queue.
     * Returns the end chunk's seq, or -1 when the session was not in that state.
     */
    static final String END = """
            local state = redis.call('HGET', KEYS[1], 'state')
            if ARGV[1] == 'active' then
              if state ~= 'queued' and state ~= 'running' then return -1 end
            elseif state ~= ARGV[1] then return -1 end
            if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'board') ~= ARGV[2] then return -1 end
            local seq = 0
            local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
            if #last > 0 then seq = tonumber(string.match(last[1][1], '^(%d+)')) end
            local limit = tonumber(ARGV[6])
            redis.call('XADD', KEYS[2], 'MINID', math.max(0, seq - limit + 2) .. '-0', (seq + 1) .. '-0',
                'c', ARGV[4])
            local t = redis.call('TIME')
            redis.call('HSET', KEYS[1], 'state', ARGV[3], 'ended', t[1] .. string.format('%06d', tonumber(t[2])))
            if state == 'queued' then
              local queue = redis.call('HGET', KEYS[1], 'queue')
              local job = redis.call('HGET', KEYS[1], 'job')
              if queue and job then redis.call('XDEL', queue, job) end
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            redis.call('PEXPIRE', KEYS[2], ARGV[5])
            return seq
            """;

    private ClusterScripts() {
    }

}
