package io.rkllm.gateway.stream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * A token bucket per client: each holds up to {@code perMinute} runs and refills one every minute / {@code perMinute},
 * so a client may start a burst of that many and then that many per minute. A bucket that has refilled is dropped, so
 * that a flood from many addresses leaves nothing behind once it stops.
 */
final class RequestRates {

    private final int perMinute;

    private final long nanosPerToken;

    private final Clock clock;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** @param perMinute 0 for no limit */
    RequestRates(int perMinute, Clock clock) {
        this.perMinute = perMinute;
        this.nanosPerToken = (perMinute > 0) ? Duration.ofMinutes(1).toNanos() / perMinute : 0;
        this.clock = clock;
    }

    /** Takes one run from the client's bucket: null when it may start, else how long until it may. */
    @Nullable Duration take(String clientId) {
        if (this.perMinute == 0) {
            return null;
        }
        Instant now = this.clock.instant();
        return this.buckets.computeIfAbsent(clientId, (id) -> new Bucket(this.perMinute, now)).take(now);
    }

    /** Drops the buckets that are full again at {@code now}: a full bucket is as good as none. */
    void forgetFull(Instant now) {
        this.buckets.values().removeIf((bucket) -> bucket.isFull(now));
    }

    /** Clients with a bucket now, for tests. */
    int clients() {
        return this.buckets.size();
    }

    private final class Bucket {

        /** Runs available, in nanoseconds of refill: {@code nanosPerToken} is one run. */
        private long available;

        private Instant updated;

        Bucket(int size, Instant now) {
            this.available = size * RequestRates.this.nanosPerToken;
            this.updated = now;
        }

        synchronized @Nullable Duration take(Instant now) {
            refill(now);
            long cost = RequestRates.this.nanosPerToken;
            if (this.available >= cost) {
                this.available -= cost;
                return null;
            }
            return Duration.ofNanos(cost - this.available);
        }

        synchronized boolean isFull(Instant now) {
            refill(now);
            return this.available == RequestRates.this.perMinute * RequestRates.this.nanosPerToken;
        }

        private void refill(Instant now) {
            long elapsed = Math.max(Duration.between(this.updated, now).toNanos(), 0);
            long full = RequestRates.this.perMinute * RequestRates.this.nanosPerToken;
            this.available = (elapsed >= full) ? full : Math.min(full, this.available + elapsed);
            this.updated = now;
        }

    }

}
