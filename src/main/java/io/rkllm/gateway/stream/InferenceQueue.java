package io.rkllm.gateway.stream;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The FIFO in front of one model's runtime, which runs one inference at a time. Bounded: a full queue refuses at once,
 * and a session that waits longer than the max wait fails instead of waiting on. Waiting sessions learn their
 * position.
 */
final class InferenceQueue {

    private final int capacity;

    private final int maxPerClient;

    private final Duration maxWait;

    private final Clock clock;

    private final Consumer<StreamSession> launcher;

    private final Executor positions;

    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

    private @Nullable StreamSession running;

    /**
     * @param maxPerClient runs of one client waiting at once at most, 0 for no limit: past it that client is refused
     * while others still get in
     * @param launcher starts a session's run; called outside the queue's lock, and {@link #finished} must follow
     * @param positions where the sessions still waiting learn their new positions once the NPU was handed to the next
     * run: not on the thread that hands it over, which would otherwise wait for one update per waiting session
     */
    InferenceQueue(int capacity, int maxPerClient, Duration maxWait, Clock clock, Consumer<StreamSession> launcher,
            Executor positions) {
        this.capacity = capacity;
        this.maxPerClient = maxPerClient;
        this.maxWait = maxWait;
        this.clock = clock;
        this.launcher = launcher;
        this.positions = positions;
    }

    /**
     * Runs the session now if the NPU is free, else queues it; refuses with -32000 when its client has as many runs
     * waiting as it may, or when the queue is full.
     */
    void enqueue(StreamSession session) {
        synchronized (this) {
            if (this.running != null) {
                if (this.maxPerClient > 0 && session.owner().limitedPerClient()
                        && waitingOf(session.owner().clientId()) >= this.maxPerClient) {
                    throw StreamManager.clientBusy(this.maxPerClient);
                }
                if (this.waiting.size() >= this.capacity) {
                    throw StreamManager.queueFull(this.capacity);
                }
                this.waiting.addLast(new Waiting(session, this.clock.instant()));
                session.markQueued(this.waiting.size());
                return;
            }
            this.running = session;
        }
        this.launcher.accept(session);
    }

    /** The session's run is over: the next waiting one starts. Returns whether one did. */
    boolean finished(StreamSession session) {
        StreamSession next;
        synchronized (this) {
            if (this.running != session) {
                return false;
            }
            Waiting head = this.waiting.pollFirst();
            next = (head != null) ? head.session() : null;
            this.running = next;
        }
        if (next == null) {
            return false;
        }
        this.launcher.accept(next);
        this.positions.execute(() -> {
            synchronized (this) {
                renumber();
            }
        });
        return true;
    }

    /** Takes a waiting session out of the queue; false when it was not waiting. */
    synchronized boolean remove(StreamSession session) {
        boolean removed = this.waiting.removeIf((entry) -> entry.session() == session);
        if (removed) {
            renumber();
        }
        return removed;
    }

    /** Fails the sessions that have waited longer than the max wait at {@code now}. */
    void expireOverdue(Instant now) {
        List<StreamSession> overdue = new ArrayList<>();
        synchronized (this) {
            Instant deadline = now.minus(this.maxWait);
            for (Iterator<Waiting> it = this.waiting.iterator(); it.hasNext();) {
                Waiting entry = it.next();
                if (entry.since().isBefore(deadline)) {
                    it.remove();
                    overdue.add(entry.session());
                }
            }
            renumber();
        }
        overdue.forEach((session) -> session.fail(ErrorCode.QUEUE_FULL,
                "waited longer than " + this.maxWait + " (rkllm.queue.max-wait) for the NPU"));
    }

    synchronized int depth() {
        return this.waiting.size();
    }

    synchronized @Nullable StreamSession running() {
        return this.running;
    }

    private long waitingOf(String clientId) {
        return this.waiting.stream().filter((entry) -> entry.session().owner().clientId().equals(clientId)).count();
    }

    private void renumber() {
        int position = 1;
        for (Waiting entry : this.waiting) {
            entry.session().markQueued(position++);
        }
    }

    private record Waiting(StreamSession session, Instant since) {
    }

}
