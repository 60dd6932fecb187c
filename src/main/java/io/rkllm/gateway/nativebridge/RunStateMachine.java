package io.rkllm.gateway.nativebridge;

import java.util.function.Supplier;

import com.sun.jna.Pointer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs of one handle: each goes {@code PENDING → RUNNING → DONE} on the worker, and an abort meets it in whichever
 * phase it is under one lock, so it never hits the next run. Once closed, runs still queued end as aborted without
 * starting.
 */
final class RunStateMachine {

    private static final Logger logger = LoggerFactory.getLogger(RunStateMachine.class);

    private final RuntimeWorker worker;

    private final ModelHandle model;

    private final KvCacheLedger kvCache;

    /** Why a run cannot start while no model is loaded. */
    private final Supplier<String> unavailableReason;

    /** Orders run start and end against {@link #abort(NativeRun)} and {@link #close()}. */
    private final Object lock = new Object();

    /** The run inside {@code rkllm_run}; written under {@link #lock}, read by the callback without it. */
    private volatile @Nullable NativeRun current;

    private boolean closed;

    RunStateMachine(RuntimeWorker worker, ModelHandle model, KvCacheLedger kvCache,
            Supplier<String> unavailableReason) {
        this.worker = worker;
        this.model = model;
        this.kvCache = kvCache;
        this.unavailableReason = unavailableReason;
    }

    /** The run inside {@code rkllm_run}, if any. */
    @Nullable NativeRun current() {
        return this.current;
    }

    /** Queues a run on the worker. */
    NativeRun submit(RunRequest request, TokenListener listener) {
        NativeRun run = new NativeRun(NativeRun.nextId(), request, listener, this::abort);
        this.worker.execute(() -> execute(run), run::fail);
        return run;
    }

    /**
     * Marks the machine closed and aborts the run in progress; the runs still queued end as aborted when the worker
     * reaches them.
     */
    void close() {
        synchronized (this.lock) {
            this.closed = true;
            NativeRun run = this.current;
            if (run != null) {
                run.markAbortRequested();
                this.model.abort();
            }
        }
    }

    private boolean abort(NativeRun run) {
        synchronized (this.lock) {
            switch (run.phase) {
                case PENDING -> {
                    run.markAbortRequested();
                    run.phase = NativeRun.Phase.DONE;
                    run.completeAborted();
                    return true;
                }
                case RUNNING -> {
                    run.markAbortRequested();
                    this.model.abort();
                    return true;
                }
                default -> {
                    return false;
                }
            }
        }
    }

    private void execute(NativeRun run) {
        Pointer live;
        ModelParams params;
        synchronized (this.lock) {
            if (run.phase != NativeRun.Phase.PENDING) {
                return;
            }
            live = this.model.live();
            params = this.model.active();
            if (this.closed || live == null || params == null) {
                run.phase = NativeRun.Phase.DONE;
                if (this.closed) {
                    run.completeAborted();
                }
                else {
                    run.fail(new RuntimeUnavailableException(this.unavailableReason.get()));
                }
                return;
            }
            run.phase = NativeRun.Phase.RUNNING;
            this.current = run;
        }
        int code;
        try {
            RunRequest request = this.kvCache.prepare(run.request(), this.model.adapter().library(), live);
            code = this.model.adapter().run(live, request, params, new Pointer(run.id()));
        }
        catch (Throwable ex) {
            // An Error too (no memory for the run's buffers, a JNA error): the run ends, and the queue moves on.
            logger.error("rkllm_run could not be called", ex);
            finish(run);
            run.fail(ex);
            return;
        }
        finish(run);
        Integer limit = (run.request().maxNewTokens() != null) ? run.request().maxNewTokens() : params.maxNewTokens();
        run.complete(code, (limit != null) ? limit : -1);
    }

    private void finish(NativeRun run) {
        synchronized (this.lock) {
            this.current = null;
            run.phase = NativeRun.Phase.DONE;
        }
    }

}
