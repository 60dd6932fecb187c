package io.rkllm.gateway.nativebridge;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.sun.jna.Pointer;
import io.rkllm.gateway.nativebridge.binding.LLMCallState;
import io.rkllm.gateway.nativebridge.binding.RKLLMResult;
import org.jspecify.annotations.Nullable;

/**
 * One submitted run: its request, its listener, and the facts its callbacks report. {@link #abort()} stops exactly
 * this run, whether it still waits for the worker or is inside {@code rkllm_run}, and never the next one.
 */
public final class NativeRun {

    private static final long PERF_PREFILL_TIME = RKLLMResult.perfFieldOffset("prefill_time_ms");

    private static final long PERF_PREFILL_TOKENS = RKLLMResult.perfFieldOffset("prefill_tokens");

    private static final long PERF_GENERATE_TIME = RKLLMResult.perfFieldOffset("generate_time_ms");

    private static final long PERF_GENERATE_TOKENS = RKLLMResult.perfFieldOffset("generate_tokens");

    private static final long PERF_MEMORY = RKLLMResult.perfFieldOffset("memory_usage_mb");

    /** Run ids double as the callback's userdata, so they start at 1: NULL means "no run". */
    private static final AtomicLong ids = new AtomicLong();

    /** What the worker and {@link #abort()} agree on, under the runtime's run lock. */
    enum Phase {

        PENDING, RUNNING, DONE

    }

    private final long id;

    private final RunRequest request;

    private final TokenListener listener;

    private final Predicate<NativeRun> aborter;

    private final CompletableFuture<RunResult> result = new CompletableFuture<>();

    private final Utf8StreamDecoder decoder = new Utf8StreamDecoder();

    /** Guarded by the runtime's run lock. */
    Phase phase = Phase.PENDING;

    private volatile boolean abortRequested;

    // Written only by the native callback thread, read by the worker after rkllm_run returned.
    private volatile int tokens;

    private volatile boolean finished;

    private volatile @Nullable Perf perf;

    private volatile @Nullable String error;

    NativeRun(long id, RunRequest request, TokenListener listener, Predicate<NativeRun> aborter) {
        this.id = id;
        this.request = request;
        this.listener = listener;
        this.aborter = aborter;
    }

    static long nextId() {
        return ids.incrementAndGet();
    }

    /** Completes once {@code rkllm_run} has returned (or at once when aborted before it started). */
    public CompletableFuture<RunResult> result() {
        return this.result;
    }

    /**
     * Stops this run: before it started, it never starts; while it runs, {@code rkllm_abort} is called and no further
     * token reaches the listener. Returns false when the run had already ended.
     */
    public boolean abort() {
        return this.aborter.test(this);
    }

    /** Whether {@link #abort()} was called. */
    public boolean abortRequested() {
        return this.abortRequested;
    }

    long id() {
        return this.id;
    }

    RunRequest request() {
        return this.request;
    }

    void markAbortRequested() {
        this.abortRequested = true;
    }

    /**
     * Handles one callback of this run on the native thread. Returns 1 (pause) once an abort was requested, in case
     * the runtime reset its abort flag when the run started after {@code rkllm_abort} was called.
     */
    int onCallback(@Nullable Pointer result, int state) {
        if (this.abortRequested) {
            return 1;
        }
        switch (state) {
            case LLMCallState.RKLLM_RUN_NORMAL -> onToken(result);
            case LLMCallState.RKLLM_RUN_FINISH -> {
                this.finished = true;
                if (result != null) {
                    this.perf = new Perf(result.getFloat(PERF_PREFILL_TIME), result.getInt(PERF_PREFILL_TOKENS),
                            result.getFloat(PERF_GENERATE_TIME), result.getInt(PERF_GENERATE_TOKENS),
                            result.getFloat(PERF_MEMORY));
                }
            }
            case LLMCallState.RKLLM_RUN_ERROR -> this.error = "the runtime reported an error after " + this.tokens
                    + " tokens";
            default -> {
                // WAITING: the bytes of a split character come with the NORMAL callbacks around it.
            }
        }
        return 0;
    }

    private void onToken(@Nullable Pointer result) {
        if (result == null) {
            return;
        }
        Pointer text = result.getPointer(RKLLMResult.TEXT_OFFSET);
        int tokenId = result.getInt(RKLLMResult.TOKEN_ID_OFFSET);
        String piece = "";
        if (text != null) {
            long length = text.indexOf(0, (byte) 0);
            piece = this.decoder.decode(text.getByteArray(0, (int) length));
        }
        this.tokens++;
        this.listener.onToken(piece, tokenId);
    }

    /** Called by the worker once {@code rkllm_run} returned {@code code}; the callback thread is done by then. */
    void complete(int code, int maxNewTokens) {
        if (!this.abortRequested) {
            String rest = this.decoder.flush();
            if (!rest.isEmpty()) {
                this.listener.onToken(rest, -1);
            }
        }
        FinishReason reason;
        String message = this.error;
        if (message != null || code != 0) {
            reason = FinishReason.ERROR;
            message = (message != null) ? message : "rkllm_run failed with code " + code;
        }
        else if (this.abortRequested || !this.finished) {
            reason = FinishReason.ABORTED;
        }
        else if (maxNewTokens > 0 && this.perf != null && this.perf.generateTokens() >= maxNewTokens) {
            reason = FinishReason.LENGTH;
        }
        else {
            reason = FinishReason.STOP;
        }
        this.result.complete(new RunResult(reason, this.tokens, this.perf, message));
    }

    void completeAborted() {
        this.result.complete(new RunResult(FinishReason.ABORTED, 0, null, null));
    }

    void fail(Throwable cause) {
        this.result.completeExceptionally(cause);
    }

}
