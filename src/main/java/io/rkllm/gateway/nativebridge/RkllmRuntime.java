package io.rkllm.gateway.nativebridge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * The RKLLM runtime behind one model handle, the face the rest of the service uses. Every call that needs the handle
 * runs on one {@link RuntimeWorker}, in submission order; {@code rkllm_abort} and {@code rkllm_is_running} are called
 * directly, as the runtime intends. The parts behind it: {@link LoadedLibrary} (loading and ABI choice),
 * {@link ModelHandle} (the handle's lifecycle) and {@link RunStateMachine} (the runs). A library or model that cannot
 * be loaded leaves the runtime {@link State#UNAVAILABLE} with the reason, never a dead JVM.
 */
public final class RkllmRuntime implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(RkllmRuntime.class);

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** The reason given for an init that failed in a way no check foresaw; the cause goes to the log only. */
    private static final String UNEXPECTED_INIT_FAILURE = "rkllm_init failed unexpectedly (see the service log)";

    /** The reason given while no model was ever loaded into the handle. */
    private static final String NOT_LOADED = "the model is not loaded";

    private final Path libraryPath;

    private final RuntimeWorker worker = new RuntimeWorker();

    /** Null when the library could not be loaded; so are {@link #runs} and {@link #callback}. */
    private final @Nullable ModelHandle model;

    private final @Nullable RunStateMachine runs;

    /** Held for the handle's lifetime: native code keeps a pointer to it. */
    private final @Nullable ResultCallback callback;

    /** What the KV cache holds for conversations; told of every call that changes the cache. */
    private final KvCacheLedger kvCache = new KvCacheLedger();

    private final CompletableFuture<RuntimeStatus> initialization = new CompletableFuture<>();

    private final AtomicBoolean closed = new AtomicBoolean();

    private volatile RuntimeStatus status;

    private RkllmRuntime(Path libraryPath, @Nullable AbiAdapter adapter, CallbackObserver observer,
            RuntimeStatus status) {
        this.libraryPath = libraryPath;
        this.status = status;
        if (adapter == null) {
            this.model = null;
            this.runs = null;
            this.callback = null;
            return;
        }
        ModelHandle handle = new ModelHandle(adapter);
        RunStateMachine machine = new RunStateMachine(this.worker, handle, this.kvCache, this::unavailableReason);
        this.model = handle;
        this.runs = machine;
        this.callback = new ResultCallback(machine::current, observer);
        Native.setCallbackThreadInitializer(this.callback,
                new CallbackThreadInitializer(true, false, "rkllm-callback"));
    }

    /**
     * Loads the library, picks its ABI generation from {@code abi} ({@code auto}, {@code 1.2} or {@code 1.3}) and
     * starts initialising {@code model} on the worker; {@link #initialization()} tells when that is over. Never
     * throws: what fails is in {@link #status()}.
     */
    public static RkllmRuntime open(Path libraryPath, String abi, ModelParams model, CallbackObserver observer) {
        return RuntimeLibrary.load(libraryPath, abi).open(model, observer);
    }

    /** A runtime on a library that could not be loaded: unavailable for {@code reason}. */
    static RkllmRuntime unavailable(Path libraryPath, String reason) {
        RkllmRuntime runtime = new RkllmRuntime(libraryPath, null, CallbackObserver.NONE,
                new RuntimeStatus(State.UNAVAILABLE, libraryPath.toString(), null, null, null, reason));
        runtime.initialization.complete(runtime.status);
        return runtime;
    }

    /** Starts initialising {@code model} with a library already loaded. */
    static RkllmRuntime open(LoadedLibrary library, ModelParams model, CallbackObserver observer) {
        RkllmRuntime runtime = new RkllmRuntime(library.path(), library.adapter(), observer, new RuntimeStatus(
                State.INITIALIZING, library.path().toString(), library.adapter().generation().label(),
                library.versionText(), model.modelPath(), null));
        CompletableFuture<RuntimeStatus> done = new CompletableFuture<>();
        runtime.worker.execute(() -> runtime.initialize(model, done), (dropped) -> runtime.dropped(dropped, done));
        return runtime;
    }

    /** A runtime for {@code modelPath} that has loaded nothing yet: {@link #init} loads it. */
    static RkllmRuntime unloaded(LoadedLibrary library, String modelPath, CallbackObserver observer) {
        RkllmRuntime runtime = new RkllmRuntime(library.path(), library.adapter(), observer,
                new RuntimeStatus(State.UNAVAILABLE, library.path().toString(),
                        library.adapter().generation().label(), library.versionText(), modelPath, NOT_LOADED));
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
        return (this.model != null) ? this.model.active() : null;
    }

    /** {@code rkllm_createDefaultParam()}. */
    public CompletableFuture<ModelParams> defaultParams() {
        AbiAdapter adapter = requireModel().adapter();
        return this.worker.call(adapter::defaults);
    }

    /**
     * Queues a run. The request is checked against the loaded ABI first (a field it cannot carry is refused with
     * {@link InvalidParameterException}); the returned run's result completes when {@code rkllm_run} has returned.
     */
    public NativeRun submit(RunRequest request, TokenListener listener) {
        check(request);
        return Objects.requireNonNull(this.runs).submit(request, listener);
    }

    /**
     * Checks that a run could be submitted now: the runtime is not unavailable ({@link RuntimeUnavailableException})
     * and the loaded ABI can carry every field of the request ({@link InvalidParameterException}).
     */
    public void check(RunRequest request) {
        ModelHandle loaded = requireModel();
        if (this.status.state() == State.UNAVAILABLE || this.status.state() == State.CLOSED) {
            throw new RuntimeUnavailableException(unavailableReason());
        }
        loaded.adapter().checkSupported(request);
    }

    /** Aborts the run inside {@code rkllm_run}, if any. */
    public boolean abortCurrent() {
        NativeRun run = (this.runs != null) ? this.runs.current() : null;
        return run != null && run.abort();
    }

    /** {@code rkllm_is_running}: 1 during prefill and decode. */
    public boolean isRunning() {
        return this.model != null && this.model.isRunning();
    }

    /** {@code rkllm_clear_kv_cache}; the position arrays are null to clear everything. */
    public CompletableFuture<Void> clearKvCache(boolean keepSystemPrompt, int @Nullable [] startPos,
            int @Nullable [] endPos) {
        return call("rkllm_clear_kv_cache", (lib, live) -> {
            this.kvCache.changed();
            return lib.rkllm_clear_kv_cache(live, keepSystemPrompt ? 1 : 0, startPos, endPos);
        });
    }

    /**
     * Records that the cache now holds {@code conversation}, after the run given {@code plan} ended as its caller saw
     * it; false when anything touched the cache since that run started (then the next turn is prefilled anew).
     */
    public boolean settleKvCache(KvCachePlan plan, String conversation) {
        return this.kvCache.settle(plan, conversation);
    }

    /** {@code rkllm_get_kv_cache_size}: the cache length of each batch. */
    public CompletableFuture<int[]> kvCacheSizes() {
        ModelHandle loaded = requireModel();
        return onHandle((lib, live) -> {
            ModelParams params = Objects.requireNonNull(loaded.active());
            int[] sizes = new int[(params.nBatch() != null) ? params.nBatch() : 1];
            AbiAdapter.check("rkllm_get_kv_cache_size", lib.rkllm_get_kv_cache_size(live, sizes));
            return sizes;
        });
    }

    /** {@code rkllm_set_chat_template}. */
    public CompletableFuture<Void> setChatTemplate(String systemPrompt, String promptPrefix, String promptPostfix) {
        return call("rkllm_set_chat_template", (lib, live) -> {
            this.kvCache.reset();
            return lib.rkllm_set_chat_template(live, systemPrompt, promptPrefix, promptPostfix);
        });
    }

    /** {@code rkllm_set_function_tools} with the tools as a JSON array text. */
    public CompletableFuture<Void> setFunctionTools(String systemPrompt, String toolsJson, String toolResponseTag) {
        return call("rkllm_set_function_tools", (lib, live) -> {
            this.kvCache.reset();
            return lib.rkllm_set_function_tools(live, systemPrompt, toolsJson, toolResponseTag);
        });
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
        return call("rkllm_load_prompt_cache", (lib, live) -> {
            this.kvCache.changed();
            return lib.rkllm_load_prompt_cache(live, path);
        });
    }

    /** {@code rkllm_release_prompt_cache}. */
    public CompletableFuture<Void> releasePromptCache() {
        return call("rkllm_release_prompt_cache", RkllmLibrary::rkllm_release_prompt_cache);
    }

    /**
     * {@code rkllm_init} with new parameters, in place of the loaded model. The parameters are checked first, and a
     * refused field ({@link InvalidParameterException}) leaves the loaded model serving; past the checks, the current
     * handle is destroyed, and the runtime stays unavailable when {@code rkllm_init} then fails
     * ({@link RkllmCallException}, or {@link RuntimeUnavailableException} when it returned no handle).
     */
    public CompletableFuture<Void> init(ModelParams params) {
        ModelHandle loaded = requireModel();
        CompletableFuture<RuntimeStatus> done = new CompletableFuture<>();
        this.worker.execute(() -> {
            ModelHandle.Prepared prepared;
            try {
                prepared = loaded.prepare(params);
            }
            catch (InvalidParameterException ex) {
                logger.warn("rkllm_init refused, the loaded model stays: invalid model parameter {}", ex.getMessage());
                done.completeExceptionally(ex);
                return;
            }
            catch (Throwable ex) {
                logger.error("rkllm_init could not check its parameters; the loaded model stays", ex);
                done.completeExceptionally(ex);
                return;
            }
            initialize(prepared, done);
        }, (dropped) -> dropped(dropped, done));
        return done.thenCompose((state) -> state.ready() ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new RuntimeUnavailableException(state.reason())));
    }

    /** {@code rkllm_destroy}; the runtime is unavailable until the next {@link #init}. */
    public CompletableFuture<Void> destroy() {
        ModelHandle loaded = requireModel();
        return this.worker.call(() -> {
            this.kvCache.reset();
            loaded.destroy();
            this.status = withState(State.UNAVAILABLE, "the model was unloaded (rkllm_destroy)");
            return null;
        });
    }

    /**
     * Shuts down in the order the runtime needs: abort the run in progress, let {@code rkllm_run} return, then
     * {@code rkllm_destroy}. Runs still queued end as aborted without starting.
     */
    @Override
    public void close() {
        if (this.closed.getAndSet(true)) {
            return;
        }
        if (this.runs != null) {
            this.runs.close();
        }
        this.worker.shutdown(() -> {
            if (this.model != null) {
                this.model.destroy();
            }
            this.status = withState(State.CLOSED, "the runtime was closed");
        }, CLOSE_TIMEOUT);
    }

    /** The start-up path: checks {@code requested} and initialises the model with it. */
    private void initialize(ModelParams requested, CompletableFuture<RuntimeStatus> done) {
        ModelHandle.Prepared prepared;
        try {
            prepared = Objects.requireNonNull(this.model).prepare(requested);
        }
        catch (InvalidParameterException ex) {
            fail("invalid model parameter " + ex.getMessage(), ex, done);
            return;
        }
        catch (Throwable ex) {
            failUnexpectedly(ex, done);
            return;
        }
        initialize(prepared, done);
    }

    /** Destroys the loaded handle, if any, and initialises the model with checked parameters. */
    private void initialize(ModelHandle.Prepared prepared, CompletableFuture<RuntimeStatus> done) {
        ModelHandle loaded = Objects.requireNonNull(this.model);
        String modelPath = prepared.params().modelPath();
        try {
            this.kvCache.reset();
            loaded.destroy();
            long start = System.nanoTime();
            this.status = new RuntimeStatus(State.INITIALIZING, this.libraryPath.toString(), this.status.abi(),
                    this.status.version(), modelPath, null);
            loaded.init(prepared, Objects.requireNonNull(this.callback));
            this.status = withState(State.READY, null);
            logger.info("Model {} initialised in {} ms", modelPath,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            done.complete(this.status);
            this.initialization.complete(this.status);
        }
        catch (RkllmCallException | RuntimeUnavailableException ex) {
            fail(ex.getMessage() + " for model " + modelPath + " (see the runtime's log above)", ex, done);
        }
        catch (Throwable ex) {
            failUnexpectedly(ex, done);
        }
    }

    /** The model is not loaded for {@code reason}: the runtime is unavailable; {@code done} fails with the cause. */
    private void fail(String reason, Throwable cause, CompletableFuture<RuntimeStatus> done) {
        logger.error("RKLLM model not loaded: {}", reason);
        this.status = withState(State.UNAVAILABLE, reason);
        done.completeExceptionally(cause);
        this.initialization.complete(this.status);
    }

    /** What no check foresaw (a JNA error, a library without the function) ends the init all the same. */
    private void failUnexpectedly(Throwable ex, CompletableFuture<RuntimeStatus> done) {
        logger.error("rkllm_init failed unexpectedly", ex);
        fail(UNEXPECTED_INIT_FAILURE, new RuntimeUnavailableException(UNEXPECTED_INIT_FAILURE, ex), done);
    }

    /** An init the worker never ran, because it was shut down first. */
    private void dropped(Throwable reason, CompletableFuture<RuntimeStatus> done) {
        done.completeExceptionally(reason);
        this.initialization.complete(this.status);
    }

    private CompletableFuture<Void> call(String function, NativeCall call) {
        return onHandle((lib, live) -> {
            AbiAdapter.check(function, call.invoke(lib, live));
            return null;
        });
    }

    private <T> CompletableFuture<T> onHandle(HandleTask<T> task) {
        ModelHandle loaded = requireModel();
        return this.worker.call(() -> {
            Pointer live = loaded.live();
            if (live == null) {
                throw new RuntimeUnavailableException(unavailableReason());
            }
            return task.apply(loaded.adapter().library(), live);
        });
    }

    private ModelHandle requireModel() {
        ModelHandle loaded = this.model;
        if (loaded == null) {
            throw new RuntimeUnavailableException(unavailableReason());
        }
        return loaded;
    }

    private String unavailableReason() {
        String reason = this.status.reason();
        return (reason != null) ? reason : NOT_LOADED;
    }

    private RuntimeStatus withState(State state, @Nullable String reason) {
        ModelParams params = activeParams();
        return new RuntimeStatus(state, this.libraryPath.toString(), this.status.abi(), this.status.version(),
                (params != null) ? params.modelPath() : this.status.modelPath(), reason);
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
