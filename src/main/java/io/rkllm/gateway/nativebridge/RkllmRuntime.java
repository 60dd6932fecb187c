package io.rkllm.gateway.nativebridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.rkllm.gateway.nativebridge.RuntimeStatus.State;
import io.rkllm.gateway.nativebridge.binding.RKLLMLoraAdapter;
import io.rkllm.gateway.nativebridge.binding.RkllmLibrary;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RKLLM runtime behind one model handle. Every call that needs the handle runs on one dedicated worker thread, in
 * submission order, so the handle is never used by two threads and {@code rkllm_run} blocks nobody else;
 * {@code rkllm_abort} and {@code rkllm_is_running} are called directly, as the runtime intends. A library or model that
 * cannot be loaded leaves the runtime {@link State#UNAVAILABLE} with the reason, never a dead JVM.
 */
public final class RkllmRuntime implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(RkllmRuntime.class);

    /** Run ids double as the callback's userdata, so they start at 1: NULL means "no run". */
    private static final AtomicLong runIds = new AtomicLong();

    static long nextRunId() {
        return runIds.incrementAndGet();
    }

    private static final long CLOSE_TIMEOUT_SECONDS = 30;

    private final Path libraryPath;

    private final @Nullable AbiAdapter adapter;

    private final @Nullable LibraryVersion version;

    private final ExecutorService worker;

    /** Held for the handle's lifetime: native code keeps a pointer to it. */
    private final ResultCallback callback;

    private final CompletableFuture<RuntimeStatus> initialization = new CompletableFuture<>();

    /**
     * Orders run start and end against {@link #abort(NativeRun)}, so an abort never hits the next run, and guards the
     * handle's direct uses ({@code rkllm_abort}, {@code rkllm_is_running}) against its destruction.
     */
    private final Object runLock = new Object();

    /** The run inside {@code rkllm_run}; written under {@link #runLock}, read by the callback without it. */
    private volatile @Nullable NativeRun current;

    /** Written on the worker only, under {@link #runLock}. */
    private volatile @Nullable Pointer handle;

    private volatile @Nullable ModelParams active;

    private volatile RuntimeStatus status;

    private boolean closed;

    private RkllmRuntime(Path libraryPath, @Nullable AbiAdapter adapter, @Nullable LibraryVersion version,
            CallbackObserver observer, RuntimeStatus status) {
        this.libraryPath = libraryPath;
        this.adapter = adapter;
        this.version = version;
        this.status = status;
        this.callback = new ResultCallback(() -> this.current, observer);
        Native.setCallbackThreadInitializer(this.callback,
                new CallbackThreadInitializer(true, false, "rkllm-callback"));
        this.worker = Executors.newSingleThreadExecutor((task) -> {
            Thread thread = new Thread(task, "rkllm-worker");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Loads the library, picks its ABI generation from {@code abi} ({@code auto}, {@code 1.2} or {@code 1.3}) and
     * starts initialising {@code model} on the worker; {@link #initialization()} tells when that is over. Never
     * throws: what fails is in {@link #status()}.
     */
    public static RkllmRuntime open(Path libraryPath, String abi, ModelParams model, CallbackObserver observer) {
        String library = libraryPath.toString();
        if (!Files.isRegularFile(libraryPath)) {
            return unavailable(libraryPath, observer,
                    "no runtime library at " + libraryPath.toAbsolutePath() + " (rkllm.library-path)");
        }
        AbiAdapter adapter;
        LibraryVersion version;
        try {
            Optional<LibraryVersion> carried = AbiSelector.versionOf(libraryPath);
            AbiGeneration generation = AbiSelector.select(abi, libraryPath, carried);
            version = carried.orElse(null);
            adapter = AbiAdapter.load(libraryPath, generation);
        }
        catch (RuntimeUnavailableException ex) {
            return unavailable(libraryPath, observer, ex.getMessage());
        }
        catch (UnsatisfiedLinkError | Exception ex) {
            return unavailable(libraryPath, observer, "cannot load " + library + ": " + ex.getMessage());
        }
        logger.info("Loaded {} (runtime {}, ABI {})", library, (version != null) ? version : "of unknown version",
                adapter.generation().label());
        RkllmRuntime runtime = new RkllmRuntime(libraryPath, adapter, version, observer, new RuntimeStatus(
                State.INITIALIZING, library, adapter.generation().label(), versionText(version), model.modelPath(),
                null));
        runtime.worker.execute(() -> runtime.initialize(model, new CompletableFuture<>()));
        return runtime;
    }

    private static RkllmRuntime unavailable(Path libraryPath, CallbackObserver observer, String reason) {
        logger.error("RKLLM runtime unavailable: {}", reason);
        RkllmRuntime runtime = new RkllmRuntime(libraryPath, null, null, observer,
                new RuntimeStatus(State.UNAVAILABLE, libraryPath.toString(), null, null, null, reason));
        runtime.initialization.complete(runtime.status);
        return runtime;
    }

    /** Where the runtime stands now. */
    public RuntimeStatus status() {
        return this.status;
    }

    /** Completes with the status once the start-up initialisation has succeeded or failed. */
    public CompletableFuture<RuntimeStatus> initialization() {
        return this.initialization;
    }

    /** The parameters of the loaded model, the library's defaults filled in; null while none is loaded. */
    public @Nullable ModelParams activeParams() {
        return this.active;
    }

    /** {@code rkllm_createDefaultParam()}. */
    public CompletableFuture<ModelParams> defaultParams() {
        AbiAdapter loaded = requireLibrary();
        return CompletableFuture.supplyAsync(loaded::defaults, this.worker);
    }

    /**
     * Queues a run. The request is checked against the loaded ABI first (a field it cannot carry is refused with
     * {@link InvalidParameterException}); the returned run's result completes when {@code rkllm_run} has returned.
     */
    public NativeRun submit(RunRequest request, TokenListener listener) {
        AbiAdapter loaded = checked(request);
        NativeRun run = new NativeRun(nextRunId(), request, listener, this::abort);
        this.worker.execute(() -> execute(loaded, run));
        return run;
    }

    /**
     * Checks that a run could be submitted now: the runtime is not unavailable ({@link RuntimeUnavailableException})
     * and the loaded ABI can carry every field of the request ({@link InvalidParameterException}).
     */
    public void check(RunRequest request) {
        checked(request);
    }

    private AbiAdapter checked(RunRequest request) {
        AbiAdapter loaded = requireLibrary();
        requireNotUnavailable();
        loaded.checkSupported(request);
        return loaded;
    }

    /** Aborts the run inside {@code rkllm_run}, if any. */
    public boolean abortCurrent() {
        NativeRun run = this.current;
        return run != null && run.abort();
    }

    /** {@code rkllm_is_running}: 1 during prefill and decode. */
    public boolean isRunning() {
        synchronized (this.runLock) {
            Pointer live = this.handle;
            return live != null && this.adapter != null && this.adapter.library().rkllm_is_running(live) == 1;
        }
    }

    /** {@code rkllm_clear_kv_cache}; the position arrays are null to clear everything. */
    public CompletableFuture<Void> clearKvCache(boolean keepSystemPrompt, int @Nullable [] startPos,
            int @Nullable [] endPos) {
        return call("rkllm_clear_kv_cache",
                (lib, live) -> lib.rkllm_clear_kv_cache(live, keepSystemPrompt ? 1 : 0, startPos, endPos));
    }

    /** {@code rkllm_get_kv_cache_size}: the cache length of each batch. */
    public CompletableFuture<int[]> kvCacheSizes() {
        return onHandle((lib, live) -> {
            ModelParams params = Objects.requireNonNull(this.active);
            int[] sizes = new int[(params.nBatch() != null) ? params.nBatch() : 1];
            AbiAdapter.RunParts.check("rkllm_get_kv_cache_size", lib.rkllm_get_kv_cache_size(live, sizes));
            return sizes;
        });
    }

    /** {@code rkllm_set_chat_template}. */
    public CompletableFuture<Void> setChatTemplate(String systemPrompt, String promptPrefix, String promptPostfix) {
        return call("rkllm_set_chat_template",
                (lib, live) -> lib.rkllm_set_chat_template(live, systemPrompt, promptPrefix, promptPostfix));
    }

    /** {@code rkllm_set_function_tools} with the tools as a JSON array text. */
    public CompletableFuture<Void> setFunctionTools(String systemPrompt, String toolsJson, String toolResponseTag) {
        return call("rkllm_set_function_tools",
                (lib, live) -> lib.rkllm_set_function_tools(live, systemPrompt, toolsJson, toolResponseTag));
    }

    /** {@code rkllm_load_lora}: loads an adapter under a name that runs can then pick. */
    public CompletableFuture<Void> loadLora(String path, String name, float scale) {
        return call("rkllm_load_lora", (lib, live) -> {
            RKLLMLoraAdapter adapter = new RKLLMLoraAdapter();
            adapter.lora_adapter_path = NativeStrings.utf8(path);
            adapter.lora_adapter_name = NativeStrings.utf8(name);
            adapter.scale = scale;
            return lib.rkllm_load_lora(live, adapter);
        });
    }

    /** {@code rkllm_load_prompt_cache}. */
    public CompletableFuture<Void> loadPromptCache(String path) {
        return call("rkllm_load_prompt_cache", (lib, live) -> lib.rkllm_load_prompt_cache(live, path));
    }

    /** {@code rkllm_release_prompt_cache}. */
    public CompletableFuture<Void> releasePromptCache() {
        return call("rkllm_release_prompt_cache", RkllmLibrary::rkllm_release_prompt_cache);
    }

    /**
     * {@code rkllm_init} with new parameters, after destroying the current handle. Fails with
     * {@link InvalidParameterException} for a refused field and {@link RkllmCallException} when the runtime refuses.
     */
    public CompletableFuture<Void> init(ModelParams model) {
        requireLibrary();
        CompletableFuture<RuntimeStatus> done = new CompletableFuture<>();
        this.worker.execute(() -> {
            destroyHandle();
            initialize(model, done);
        });
        return done.thenCompose((state) -> state.ready() ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new RuntimeUnavailableException(state.reason())));
    }

    /** {@code rkllm_destroy}; the runtime is unavailable until the next {@link #init}. */
    public CompletableFuture<Void> destroy() {
        requireLibrary();
        return CompletableFuture.runAsync(() -> {
            destroyHandle();
            this.status = withState(State.UNAVAILABLE, "the model was unloaded (rkllm_destroy)");
        }, this.worker);
    }

    /**
     * Shuts down in the order the runtime needs: abort the run in progress, let {@code rkllm_run} return, then
     * {@code rkllm_destroy}. Runs still queued end as aborted without starting.
     */
    @Override
    public void close() {
        synchronized (this.runLock) {
            if (this.closed) {
                return;
            }
            this.closed = true;
            NativeRun run = this.current;
            if (run != null) {
                run.markAbortRequested();
                abortNative();
            }
        }
        try {
            this.worker.submit(() -> {
                destroyHandle();
                this.status = withState(State.CLOSED, "the runtime was closed");
            }).get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException | TimeoutException ex) {
            logger.error("RKLLM runtime did not shut down cleanly", ex);
        }
        this.worker.shutdownNow();
    }

    boolean abort(NativeRun run) {
        synchronized (this.runLock) {
            switch (run.phase) {
                case PENDING -> {
                    run.markAbortRequested();
                    run.phase = NativeRun.Phase.DONE;
                    run.completeAborted();
                    return true;
                }
                case RUNNING -> {
                    run.markAbortRequested();
                    abortNative();
                    return true;
                }
                default -> {
                    return false;
                }
            }
        }
    }

    private void abortNative() {
        Pointer live = this.handle;
        if (live != null && this.adapter != null) {
            this.adapter.library().rkllm_abort(live);
        }
    }

    private void execute(AbiAdapter loaded, NativeRun run) {
        Pointer live;
        ModelParams params;
        synchronized (this.runLock) {
            if (run.phase != NativeRun.Phase.PENDING) {
                return;
            }
            live = this.handle;
            params = this.active;
            if (this.closed || live == null || params == null) {
                run.phase = NativeRun.Phase.DONE;
                if (this.closed) {
                    run.completeAborted();
                }
                else {
                    run.fail(new RuntimeUnavailableException(unavailableReason()));
                }
                return;
            }
            run.phase = NativeRun.Phase.RUNNING;
            this.current = run;
        }
        int code;
        try {
            code = loaded.run(live, run.request(), params, new Pointer(run.id()));
        }
        catch (RuntimeException ex) {
            logger.error("rkllm_run could not be called", ex);
            finishRun(run);
            run.fail(ex);
            return;
        }
        finishRun(run);
        Integer limit = (run.request().maxNewTokens() != null) ? run.request().maxNewTokens() : params.maxNewTokens();
        run.complete(code, (limit != null) ? limit : -1);
    }

    private void finishRun(NativeRun run) {
        synchronized (this.runLock) {
            this.current = null;
            run.phase = NativeRun.Phase.DONE;
        }
    }

    private void initialize(ModelParams requested, CompletableFuture<RuntimeStatus> done) {
        AbiAdapter loaded = Objects.requireNonNull(this.adapter);
        long start = System.nanoTime();
        try {
            ModelParams params = requested.withDefaults(loaded.defaults()).validate();
            this.status = new RuntimeStatus(State.INITIALIZING, this.libraryPath.toString(),
                    loaded.generation().label(), versionText(this.version), params.modelPath(), null);
            this.handle = loaded.init(params, this.callback);
            this.active = params;
            this.status = withState(State.READY, null);
            logger.info("Model {} initialised in {} ms", params.modelPath(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            done.complete(this.status);
        }
        catch (InvalidParameterException | RkllmCallException ex) {
            String reason = (ex instanceof RkllmCallException)
                    ? ex.getMessage() + " for model " + requested.modelPath() + " (see the runtime's log above)"
                    : "invalid model parameter " + ex.getMessage();
            logger.error("RKLLM model not loaded: {}", reason);
            this.status = withState(State.UNAVAILABLE, reason);
            done.completeExceptionally(ex);
        }
        finally {
            this.initialization.complete(this.status);
        }
    }

    /**
     * Takes the handle away under the run lock first, so that no {@code rkllm_abort} or {@code rkllm_is_running}
     * can still be using it when {@code rkllm_destroy} frees it.
     */
    private void destroyHandle() {
        Pointer live;
        synchronized (this.runLock) {
            live = this.handle;
            this.handle = null;
            this.active = null;
        }
        if (live != null && this.adapter != null) {
            int code = this.adapter.library().rkllm_destroy(live);
            if (code != 0) {
                logger.warn("rkllm_destroy returned {}", code);
            }
            else {
                logger.info("Model handle destroyed");
            }
        }
    }

    private CompletableFuture<Void> call(String function, NativeCall call) {
        return onHandle((lib, live) -> {
            AbiAdapter.RunParts.check(function, call.invoke(lib, live));
            return null;
        });
    }

    private <T> CompletableFuture<T> onHandle(HandleTask<T> task) {
        AbiAdapter loaded = requireLibrary();
        return CompletableFuture.supplyAsync(() -> {
            Pointer live = this.handle;
            if (live == null) {
                throw new RuntimeUnavailableException(unavailableReason());
            }
            return task.apply(loaded.library(), live);
        }, this.worker);
    }

    private AbiAdapter requireLibrary() {
        AbiAdapter loaded = this.adapter;
        if (loaded == null) {
            throw new RuntimeUnavailableException(unavailableReason());
        }
        return loaded;
    }

    private void requireNotUnavailable() {
        if (this.status.state() == State.UNAVAILABLE || this.status.state() == State.CLOSED) {
            throw new RuntimeUnavailableException(unavailableReason());
        }
    }

    private String unavailableReason() {
        String reason = this.status.reason();
        return (reason != null) ? reason : "the model is not loaded";
    }

    private RuntimeStatus withState(State state, @Nullable String reason) {
        ModelParams params = this.active;
        return new RuntimeStatus(state, this.libraryPath.toString(), this.status.abi(), this.status.version(),
                (params != null) ? params.modelPath() : this.status.modelPath(), reason);
    }

    private static @Nullable String versionText(@Nullable LibraryVersion version) {
        return (version != null) ? version.toString() : null;
    }

    /** A native call that returns a status code. */
    @FunctionalInterface
    private interface NativeCall {

        int invoke(RkllmLibrary library, Pointer handle);

    }

    /** Work on the worker that needs the live handle. */
    @FunctionalInterface
    private interface HandleTask<T> {

        T apply(RkllmLibrary library, Pointer handle);

    }

}
