package io.rkllm.gateway.stream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that stands still until a test moves it on with {@link #advance(Duration)}. */
public final class MutableClock extends Clock {

    private final ZoneId zone;

    private volatile Instant now;

    public MutableClock(Instant start) {
        this(start, ZoneOffset.UTC);
    }

    private MutableClock(Instant start, ZoneId zone) {
        this.now = start;
        this.zone = zone;
    }

    /** A clock at a fixed, arbitrary instant. */
    public static MutableClock start() {
        return new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    }

    /** Moves the clock on by {@code duration}. */
    public synchronized void advance(Duration duration) {
        this.now = this.now.plus(duration);
    }

    @Override
    public Instant instant() {
        return this.now;
    }

    @Override
    public ZoneId getZone() {
        return this.zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new MutableClock(this.now, zone);
    }

}
