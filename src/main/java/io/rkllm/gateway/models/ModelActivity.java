package io.rkllm.gateway.models;

import java.util.concurrent.atomic.AtomicLong;

/** What one model has been through since the start, counted as it happens and read by the meters at each scrape. */
public final class ModelActivity {

    private final String model;

    private final AtomicLong loads = new AtomicLong();

    private final AtomicLong failedLoads = new AtomicLong();

    private final AtomicLong loadNanos = new AtomicLong();

    private final AtomicLong unloads = new AtomicLong();

    ModelActivity(String model) {
        this.model = model;
    }

    /** The model's id. */
    public String model() {
        return this.model;
    }

    /** Loads that succeeded. */
    public long loads() {
        return this.loads.get();
    }

    /** Loads that failed or were refused. */
    public long failedLoads() {
        return this.failedLoads.get();
    }

    /** Time spent in the loads that succeeded, in seconds. */
    public double loadSeconds() {
        return this.loadNanos.get() / 1e9;
    }

    /** Unloads: to make room, after the keep-alive, by an admin, or because the file went. */
    public long unloads() {
        return this.unloads.get();
    }

    void loaded(long nanos) {
        this.loadNanos.addAndGet(nanos);
        this.loads.incrementAndGet();
    }

    void failed() {
        this.failedLoads.incrementAndGet();
    }

    void unloaded() {
        this.unloads.incrementAndGet();
    }

}
