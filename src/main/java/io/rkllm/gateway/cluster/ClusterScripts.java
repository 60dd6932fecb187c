package io.rkllm.gateway.cluster;

import java.util.List;

import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts that change a session's state: Redis runs each as one step, so a queued session is either started
 * by one board or ended (aborted, expired) by one gateway, never both, a session's end chunk is written once, and a
 * client's limits are counted once for the whole cluster.
 */
final class ClusterScripts {

    /** What {@link #SUBMIT} answers when the model's queue is full. */
    static final String QUEUE_FULL = "!full";

    /** What {@link #SUBMIT} answers when the client has its share of runs waiting already. */
    static final String CLIENT_BUSY = "!client";

    /** What {@link #SUBMIT} answers, followed by the milliseconds to wait, when the client used its runs per minute. */
    static final String RATE_LIMITED = "!rate ";

    /**
     * Queues a job unless its queue is full or its client is over a limit. KEYS: queue, session, the client's queued
     * sessions (a sorted set by creation), the client's request bucket. ARGV: capacity, ttl ms, session id, request
     * json, owner key ('' for none), max queued per client (0: no limit), runs per minute (0: no limit), max wait ms,
     * then metadata field/value pairs. The client's keys are '' for a caller without per-client limits. The bucket
     * holds a minute's worth of milliseconds and each run costs a minute / runs per minute, as the local mode's does.
     * Returns the job's id, or one of the answers above.
     */
    static final RedisScript<String> SUBMIT = RedisScript.of("""
            local now = redis.call('TIME')
            local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
            local limited = KEYS[3] ~= ''
            if limited and tonumber(ARGV[6]) > 0 then
              redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs - tonumber(ARGV[8]))
              if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[6]) then return '!client' end
            end
            if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return '!full' end
            if limited and tonumber(ARGV[7]) > 0 then
              local cost = 60000 / tonumber(ARGV[7])
              local bucket = redis.call('HMGET', KEYS[4], 'available', 'updated')
              local available = tonumber(bucket[1]) or 60000
              local updated = tonumber(bucket[2]) or nowMs
              available = math.min(60000, available + math.max(0, nowMs - updated))
              if available < cost then return '!rate ' .. math.ceil(cost - available) end
              redis.call('HSET', KEYS[4], 'available', available - cost, 'updated', nowMs)
              redis.call('PEXPIRE', KEYS[4], 60000)
            end
            local job = redis.call('XADD', KEYS[1], '*', 'session', ARGV[3], 'request', ARGV[4], 'owner', ARGV[5])
            redis.call('HSET', KEYS[2], 'state', 'queued', 'queue', KEYS[1], 'job', job, 'client', KEYS[3],
                unpack(ARGV, 9))
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            if limited then
              redis.call('ZADD', KEYS[3], nowMs, ARGV[3])
              redis.call('PEXPIRE', KEYS[3], ARGV[8])
            end
            return job
            """, String.class);

    /**
     * Claims for a board the oldest job of a queue that no board has taken yet, and starts its session
     * there in the same step, so that a job is never held by a board that has not started it and two boards start
     * their jobs in the order they claimed them. Jobs whose session is no longer queued (aborted, expired, gone) are
     * dropped on the way. KEYS: queue. ARGV: group, board, ttl ms. The session's keys are made here as
     * {@link ClusterKeys#session} and {@link ClusterKeys#log} make them. Returns the session id, the request json and
     * the owner key, or an empty list when the queue has no job.
     */
    @SuppressWarnings("rawtypes")
    static final RedisScript<List> CLAIM = RedisScript.of("""
            for _ = 1, 16 do
              local read = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
              if not read then return {} end
              local entry = read[1][2][1]
              redis.call('XACK', KEYS[1], ARGV[1], entry[1])
              redis.call('XDEL', KEYS[1], entry[1])
              local job = {}
              for i = 1, #entry[2], 2 do job[entry[2][i]] = entry[2][i + 1] end
              local session = 'rkllm:session:{' .. job['session'] .. '}'
              local log = session .. ':log'
              if redis.call('HGET', session, 'state') == 'queued' then
                local client = redis.call('HGET', session, 'client')
                if client and client ~= '' then redis.call('ZREM', client, job['session']) end
                local t = redis.call('TIME')
                redis.call('HSET', session, 'state', 'running', 'board', ARGV[2],
                    'started', t[1] .. string.format('%06d', tonumber(t[2])))
                redis.call('XADD', log, '0-1', 's', 'running')
                redis.call('PEXPIRE', session, ARGV[3])
                redis.call('PEXPIRE', log, ARGV[3])
                return { job['session'], job['request'], job['owner'] or '' }
              end
            end
            return {}
            """, List.class);

    /**
     * Ends a session with its end chunk, numbered after the last chunk logged. KEYS: session, log. ARGV: the state it
     * must be in ({@code queued}, {@code running} or {@code active} for either), the board that must run it ('' for
     * any), its final state, the end chunk's JSON, ttl ms, replay limit, session id. A queued session's job leaves
     * its queue and its client's count. Returns the end chunk's seq, or -1 when the session was not in that state.
     */
    static final RedisScript<Long> END = RedisScript.of("""
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
              local client = redis.call('HGET', KEYS[1], 'client')
              if client and client ~= '' then redis.call('ZREM', client, ARGV[7]) end
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            redis.call('PEXPIRE', KEYS[2], ARGV[5])
            return seq
            """, Long.class);

    private ClusterScripts() {
    }

}
