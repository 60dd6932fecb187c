package io.rkllm.gateway.models;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.rkllm.gateway.config.ModelsProperties;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.nativebridge.InvalidParameterException;
import io.rkllm.gateway.nativebridge.LibraryVersion;
import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.nativebridge.RkllmCallException;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.RuntimeLibrary;
import io.rkllm.gateway.nativebridge.RuntimeStatus;
import io.rkllm.gateway.nativebridge.RuntimeUnavailableException;
import io.rkllm.gateway.stream.ModelHost;
import io.rkllm.gateway.stream.ModelLease;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models loaded now, each with its own {@link RkllmRuntime} (handle, worker thread), and the loading and unloading
 * that keeps them so. Requests hold a lease on their model; a model nobody holds is idle. A lease on a model that is
 * not loaded waits, in arrival order, while the model is loaded: at once when fewer than {@code max-resident} are,
 * else after the least recently used idle one is unloaded (when none is idle, the least recently used one stops taking
 * new runs until its own have ended, so that no request waits for ever). Idle models are unloaded after their
 * keep-alive, and models whose file went away once idle. One load or unload runs at a time, on one thread: loads of
 * 30-90 s that overlap misbehave on real boards. A load that fails fails the leases waiting for that model only.
 */
public class ResidentModels implements ModelHost, AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ResidentModels.class);

    /** Several handles in one process are supported from this runtime version on. */
    private static final LibraryVersion MULTI_INSTANCE = new LibraryVersion(1, 2, 2, "", "");

    private final RuntimeLibrary library;

    private final ModelCatalogue catalogue;

    private final ModelParams base;

    private final ModelsProperties settings;

    private final MemoryGuard guard;

    private final Clock clock;

    private final CallbackObserver observer;

    private final int maxResident;

    private final RkllmRuntime defaultRuntime;

    private final ExecutorService loader = Executors.newSingleThreadExecutor((task) -> {
        Thread thread = new Thread(task, "rkllm-models");
        thread.setDaemon(true);
        return thread;
    });

    private final List<Consumer<ModelActivity>> activityListeners = new CopyOnWriteArrayList<>();

    private final Object lock = new Object();

    /** By id; guarded by {@link #lock}, like everything below. */
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** Leases waiting for their model, in arrival order. */
    private final ArrayDeque<Lease> pending = new ArrayDeque<>();

    /** A load or unload is under way on the loader thread. */
    private boolean busy;

    private boolean closed;

    /**
     * Starts loading the default model at once, as the service always did, and without the memory guard: it is the
     * model the operator configured, the first to take memory.
     *
     * @param base {@code rkllm.model.*}: every model's parameters unless its sidecar says otherwise
     */
    public ResidentModels(RuntimeLibrary library, ModelCatalogue catalogue, ModelParams base,
            ModelsProperties settings, Clock clock, CallbackObserver observer) {
        this.library = library;
        this.catalogue = catalogue;
        this.base = base;
        this.settings = settings;
        this.guard = new MemoryGuard(settings.meminfo(), settings.memoryMargin());
        this.clock = clock;
        this.observer = observer;
        this.maxResident = effectiveMaxResident(settings.maxResident(), library);
        ModelFile fallback = catalogue.defaultModel();
        synchronized (this.lock) {
            Entry entry = entryFor(fallback);
            if (fallback.sidecarError() != null) {
                this.defaultRuntime = library.unloaded(String.valueOf(base.modelPath()), observer);
                entry.runtime = this.defaultRuntime;
                entry.fail(sidecarReason(fallback), fallback);
            }
            else {
                long start = System.nanoTime();
                this.defaultRuntime = library.open(paramsFor(fallback, domainFor(entry, fallback)), observer);
                entry.runtime = this.defaultRuntime;
                entry.state = ModelState.LOADING;
                this.busy = true;
                this.loader.execute(() -> finishStartupLoad(entry, start));
            }
        }
    }

    /** The default model's runtime, made at start and kept while the service runs, loaded or not. */
    public RkllmRuntime defaultRuntime() {
        return this.defaultRuntime;
    }

    /** How many models may be loaded at once here. */
    public int maxResident() {
        return this.maxResident;
    }

    @Override
    public String defaultModel() {
        return this.catalogue.defaultModel().id();
    }

    @Override
    public ModelLease acquire(RunRequest request) {
        this.library.checkSupported(request);
        ModelFile file = this.catalogue.resolve(request.model());
        return acquire(file, request.keepAlive(), request, false);
    }

    /**
     * Loads a model if it is not loaded (even one whose last load failed) and completes with its status once it is;
     * fails with the reason when it cannot be loaded.
     */
    public CompletableFuture<ModelStatus> load(String name) {
        return load(this.catalogue.resolve(name), null, true);
    }

    /**
     * Loads a model as a client's request for it would (Ollama's load call): a model whose last load failed is refused
     * with the reason until its file changes; once loaded, it stays {@code keepAlive} (null: the configured
     * keep-alive) after its last run.
     */
    public CompletableFuture<ModelStatus> load(String name, @Nullable Duration keepAlive) {
        return load(this.catalogue.resolve(name), keepAlive, false);
    }

    private CompletableFuture<ModelStatus> load(ModelFile file, @Nullable Duration keepAlive, boolean retry) {
        Lease lease = acquire(file, keepAlive, null, retry);
        return lease.runtime().handle((runtime, error) -> {
            lease.release();
            if (error != null) {
                throw (error instanceof RuntimeException ex) ? ex : new IllegalStateException(error);
            }
            return status(lease.entry);
        });
    }

    /**
     * Unloads a model: at once when it is idle, else as soon as its runs have ended (its keep-alive becomes zero).
     * Completes with its status once it is unloaded, or at once when that has to wait.
     */
    public CompletableFuture<ModelStatus> unload(String name) {
        ModelFile file = this.catalogue.resolve(name);
        List<Runnable> effects = new ArrayList<>();
        CompletableFuture<ModelStatus> done = new CompletableFuture<>();
        synchronized (this.lock) {
            Entry entry = entryFor(file);
            entry.keepAlive = Duration.ZERO;
            if (entry.state == ModelState.READY && entry.leases == 0 && !this.busy) {
                startUnload(entry, "admin", () -> done.complete(status(entry)));
            }
            else {
                effects.add(() -> done.complete(status(entry)));
            }
        }
        effects.forEach(Runnable::run);
        return done;
    }

    /** Every model of the catalogue, and those still loaded whose file went away. */
    public ModelsStatus status() {
        List<ModelFile> models = this.catalogue.models();
        synchronized (this.lock) {
            List<ModelStatus> all = new ArrayList<>();
            for (ModelFile model : models) {
                Entry entry = this.entries.get(model.id());
                all.add((entry != null) ? status(entry, model) : idle(model));
            }
            this.entries.values()
                .stream()
                .filter((entry) -> models.stream().noneMatch((model) -> model.id().equals(entry.id)))
                .filter((entry) -> entry.state.resident())
                .forEach((entry) -> all.add(status(entry, entry.file)));
            return new ModelsStatus(this.maxResident, residentCount(), List.copyOf(all));
        }
    }

    /** One model's status. */
    public ModelStatus status(String name) {
        ModelFile file = this.catalogue.resolve(name);
        synchronized (this.lock) {
            Entry entry = this.entries.get(file.id());
            return (entry != null) ? status(entry, file) : idle(file);
        }
    }

    /**
     * The parameters a model runs with: those it was loaded with while it is loaded, else those it would load with
     * ({@code rkllm.model.*} and its sidecar's overrides).
     */
    public ModelParams params(String name) {
        ModelFile file = this.catalogue.resolve(name);
        RkllmRuntime runtime;
        synchronized (this.lock) {
            Entry entry = this.entries.get(file.id());
            runtime = (entry != null && entry.state == ModelState.READY) ? entry.runtime : null;
        }
        ModelParams active = (runtime != null) ? runtime.activeParams() : null;
        return (active != null) ? active : paramsFor(file, null);
    }

    /** How many models are loaded, or being loaded or unloaded. */
    public int residentCount() {
        synchronized (this.lock) {
            return (int) this.entries.values().stream().filter((entry) -> entry.state.resident()).count();
        }
    }

    /** Hands {@code listener} every model's activity: those known now at once, those that come later as they come. */
    public void onActivity(Consumer<ModelActivity> listener) {
        List<ModelActivity> known;
        synchronized (this.lock) {
            this.activityListeners.add(listener);
            known = this.entries.values().stream().map((entry) -> entry.activity).toList();
        }
        known.forEach(listener);
    }

    /**
     * Unloads one idle model that has outlived its keep-alive or whose file went away; called every scan interval
     * (the unload, when done, looks for the next).
     */
    public void unloadExpired() {
        synchronized (this.lock) {
            reap();
        }
    }

    /** Fails the leases still waiting and closes every runtime: abort, let the run return, destroy. */
    @Override
    public void close() {
        List<Lease> waiting;
        List<RkllmRuntime> runtimes;
        synchronized (this.lock) {
            this.closed = true;
            waiting = List.copyOf(this.pending);
            this.pending.clear();
            runtimes = this.entries.values().stream().map((entry) -> entry.runtime).filter(Objects::nonNull).toList();
        }
        RuntimeUnavailableException shutdown = new RuntimeUnavailableException("the service is shutting down");
        waiting.forEach((lease) -> lease.future.completeExceptionally(shutdown));
        this.loader.shutdownNow();
        runtimes.forEach(RkllmRuntime::close);
    }

    private Lease acquire(ModelFile file, @Nullable Duration keepAlive, @Nullable RunRequest request, boolean retry) {
        List<Runnable> effects = new ArrayList<>();
        Lease lease;
        synchronized (this.lock) {
            if (this.closed) {
                throw new RuntimeUnavailableException("the service is shutting down");
            }
            Entry entry = entryFor(file);
            if (entry.state == ModelState.FAILED && entry.runtime != null && entry.runtime.status().ready()) {
                // An admin's rkllm_init loaded the handle again after its failure.
                entry.state = ModelState.READY;
                entry.reason = null;
            }
            if (entry.state == ModelState.FAILED) {
                if (!retry && entry.failedFile != null && entry.failedFile.sameAs(file)) {
                    throw new RuntimeUnavailableException(Objects.requireNonNull(entry.reason));
                }
                entry.state = ModelState.UNLOADED;
            }
            if (entry.state == ModelState.READY && request != null) {
                // What the runtime itself refuses now (an admin's rkllm_destroy) is refused at once, as ever.
                Objects.requireNonNull(entry.runtime).check(request);
            }
            lease = new Lease(entry, keepAlive);
            if (entry.state == ModelState.READY && !entry.draining) {
                grant(lease, effects);
            }
            else {
                this.pending.addLast(lease);
                schedule(effects);
            }
        }
        effects.forEach(Runnable::run);
        return lease;
    }

    /** The entry of a model, made on first use; it follows the catalogue's latest view of the file. */
    private Entry entryFor(ModelFile file) {
        Entry entry = this.entries.get(file.id());
        if (entry == null) {
            entry = new Entry(file);
            this.entries.put(file.id(), entry);
            ModelActivity activity = entry.activity;
            this.activityListeners.forEach((listener) -> listener.accept(activity));
        }
        else if (!entry.state.resident()) {
            entry.file = file;
        }
        return entry;
    }

    /**
     * Grants what can be granted, in order, up to the first lease that waits for its model to be loaded, and starts
     * the one load or unload that lease needs (which may drain a model to make room). Leases behind it are granted
     * when their model is loaded and not being drained: they take no room, and a drained model takes no new runs, so
     * that the switch comes in arrival order.
     */
    private void schedule(List<Runnable> effects) {
        if (this.closed) {
            return;
        }
        Lease blocker = null;
        for (Iterator<Lease> it = this.pending.iterator(); it.hasNext() && blocker == null;) {
            Lease lease = it.next();
            if (lease.entry.state == ModelState.READY) {
                // Whoever drained it has been served.
                lease.entry.draining = false;
                it.remove();
                grant(lease, effects);
            }
            else if (lease.entry.state == ModelState.FAILED) {
                it.remove();
                fail(lease, Objects.requireNonNull(lease.entry.reason), effects);
            }
            else {
                blocker = lease;
            }
        }
        if (blocker == null) {
            return;
        }
        if (!this.busy) {
            makeRoomFor(blocker.entry);
        }
        for (Iterator<Lease> it = this.pending.iterator(); it.hasNext();) {
            Lease lease = it.next();
            if (lease != blocker && lease.entry.state == ModelState.READY && !lease.entry.draining) {
                it.remove();
                grant(lease, effects);
            }
            else if (lease.entry.state == ModelState.FAILED) {
                it.remove();
                fail(lease, Objects.requireNonNull(lease.entry.reason), effects);
            }
        }
    }

    /** Loads {@code wanted} when there is room; else unloads the least recently used idle model, or drains one. */
    private void makeRoomFor(Entry wanted) {
        if (residentCount() < this.maxResident) {
            startLoad(wanted);
            return;
        }
        Comparator<Entry> leastRecentlyUsed = Comparator.comparing((Entry entry) -> entry.lastUsed,
                Comparator.nullsFirst(Comparator.naturalOrder()));
        List<Entry> loaded = this.entries.values().stream().filter((entry) -> entry.state == ModelState.READY)
            .toList();
        Entry idle = loaded.stream().filter((entry) -> entry.leases == 0).min(leastRecentlyUsed).orElse(null);
        if (idle != null) {
            logger.info("Unloading model {} (least recently used) to load {}", idle.id, wanted.id);
            startUnload(idle, "lru", () -> {
            });
            return;
        }
        loaded.stream().min(leastRecentlyUsed).ifPresent((busiest) -> {
            if (!busiest.draining) {
                logger.info("Model {} takes no new runs until its {} end, to make room for {}", busiest.id,
                        busiest.leases, wanted.id);
                busiest.draining = true;
            }
        });
    }

    private void startLoad(Entry entry) {
        ModelFile file = entry.file;
        this.busy = true;
        entry.state = ModelState.LOADING;
        entry.reason = null;
        entry.keepAlive = null;
        entry.domain = domainFor(entry, file);
        if (entry.runtime == null) {
            entry.runtime = this.library.unloaded(file.path().toString(), this.observer);
        }
        RkllmRuntime runtime = entry.runtime;
        Integer domain = entry.domain;
        logger.info("Loading model {} from {}", entry.id, file.path());
        this.loader.execute(() -> load(entry, file, runtime, domain));
    }

    /** On the loader thread: the memory guard, {@code rkllm_init}, the sidecar's LoRA adapters. */
    private void load(Entry entry, ModelFile file, RkllmRuntime runtime, @Nullable Integer domain) {
        long start = System.nanoTime();
        String failure = null;
        boolean refused = false;
        boolean initialised = false;
        try {
            if (file.sidecarError() != null) {
                throw new RuntimeUnavailableException(sidecarReason(file));
            }
            try {
                this.guard.check(file);
            }
            catch (RuntimeUnavailableException ex) {
                refused = true;
                throw ex;
            }
            runtime.init(paramsFor(file, domain)).get();
            initialised = true;
            for (ModelSidecar.LoraAdapter adapter : file.sidecar().loraAdapters()) {
                runtime.loadLora(adapter.path(), adapter.name(), adapter.scale()).get();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            failure = "the load was interrupted";
        }
        catch (ExecutionException | RuntimeException ex) {
            RuntimeStatus status = runtime.status();
            // A failed rkllm_init leaves its reason (the runtime's log points at the cause) in the runtime's status.
            failure = (!initialised && !refused && status.state() == RuntimeStatus.State.UNAVAILABLE
                    && status.reason() != null) ? status.reason() : reasonOf(ex, entry.id);
        }
        long nanos = System.nanoTime() - start;
        List<Runnable> effects = new ArrayList<>();
        synchronized (this.lock) {
            this.busy = false;
            if (failure == null) {
                loaded(entry, nanos);
            }
            else {
                failed(entry, file, failure, refused, effects);
                if (initialised) {
                    // Loaded, but an adapter of its sidecar was not: the handle goes, the model counts as failed.
                    runtime.destroy();
                }
            }
            schedule(effects);
            reap();
        }
        effects.forEach(Runnable::run);
    }

    /** On the loader thread: waits for the default model's start-up load, which began with its runtime. */
    private void finishStartupLoad(Entry entry, long start) {
        RuntimeStatus status = this.defaultRuntime.initialization().join();
        List<Runnable> effects = new ArrayList<>();
        synchronized (this.lock) {
            this.busy = false;
            if (status.ready()) {
                loaded(entry, System.nanoTime() - start);
            }
            else {
                failed(entry, entry.file, Objects.requireNonNullElse(status.reason(), "the model is not loaded"), false,
                        effects);
            }
            schedule(effects);
        }
        effects.forEach(Runnable::run);
    }

    private void loaded(Entry entry, long nanos) {
        entry.state = ModelState.READY;
        entry.loadedAt = this.clock.instant();
        entry.lastUsed = entry.loadedAt;
        entry.loadTime = Duration.ofNanos(nanos);
        entry.activity.loaded(nanos);
        logger.info("Model {} loaded in {} ms{}", entry.id, entry.loadTime.toMillis(),
                (entry.domain != null) ? " (base_domain_id " + entry.domain + ")" : "");
    }

    /**
     * A load failed: the leases waiting for this model fail with the reason. A refusal by the memory guard leaves the
     * model unloaded (memory may be free later); any other failure is kept until the file changes.
     */
    private void failed(Entry entry, ModelFile file, String reason, boolean refused, List<Runnable> effects) {
        logger.error("Model {} not loaded: {}", entry.id, reason);
        entry.activity.failed();
        entry.domain = null;
        if (refused) {
            entry.state = ModelState.UNLOADED;
            entry.reason = reason;
        }
        else {
            entry.fail(reason, file);
        }
        for (Iterator<Lease> it = this.pending.iterator(); it.hasNext();) {
            Lease lease = it.next();
            if (lease.entry == entry) {
                it.remove();
                fail(lease, reason, effects);
            }
        }
    }

    private void startUnload(Entry entry, String why, Runnable then) {
        this.busy = true;
        entry.state = ModelState.UNLOADING;
        RkllmRuntime runtime = Objects.requireNonNull(entry.runtime);
        this.loader.execute(() -> {
            try {
                runtime.destroy().get(1, TimeUnit.MINUTES);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            catch (Exception ex) {
                logger.warn("Unloading model {} did not end cleanly: {}", entry.id, ex.toString());
            }
            List<Runnable> effects = new ArrayList<>();
            synchronized (this.lock) {
                this.busy = false;
                entry.state = ModelState.UNLOADED;
                entry.draining = false;
                entry.domain = null;
                entry.loadedAt = null;
                entry.activity.unloaded();
                logger.info("Model {} unloaded ({})", entry.id, why);
                if (runtime != this.defaultRuntime && !this.catalogue.contains(entry.id)) {
                    // Its file went: nothing will load it again, so its runtime goes too (the meters keep its counts).
                    entry.runtime = null;
                    effects.add(runtime::close);
                }
                schedule(effects);
                reap();
            }
            effects.add(then);
            effects.forEach(Runnable::run);
        });
    }

    /** Starts unloading one idle model past its keep-alive or without its file, unless something else runs. */
    private void reap() {
        if (this.busy || this.closed || !this.pending.isEmpty()) {
            return;
        }
        Instant now = this.clock.instant();
        for (Entry entry : this.entries.values()) {
            if (entry.state != ModelState.READY || entry.leases > 0) {
                continue;
            }
            if (!entry.file.isDefault() && !this.catalogue.contains(entry.id)) {
                startUnload(entry, "its file was removed", () -> {
                });
                return;
            }
            Instant until = keepAliveUntil(entry);
            if (until != null && !until.isAfter(now)) {
                startUnload(entry, "idle for its keep-alive of " + keepAlive(entry), () -> {
                });
                return;
            }
        }
    }

    private void grant(Lease lease, List<Runnable> effects) {
        Entry entry = lease.entry;
        lease.granted = true;
        entry.leases++;
        entry.lastUsed = this.clock.instant();
        RkllmRuntime runtime = Objects.requireNonNull(entry.runtime);
        effects.add(() -> lease.future.complete(runtime));
    }

    private static void fail(Lease lease, String reason, List<Runnable> effects) {
        lease.released = true;
        effects.add(() -> lease.future.completeExceptionally(new RuntimeUnavailableException(reason)));
    }

    private void release(Lease lease) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this.lock) {
            if (lease.released) {
                return;
            }
            lease.released = true;
            Entry entry = lease.entry;
            if (lease.granted) {
                entry.leases--;
                entry.lastUsed = this.clock.instant();
                if (lease.keepAlive != null) {
                    entry.keepAlive = lease.keepAlive;
                }
            }
            else {
                this.pending.remove(lease);
            }
            schedule(effects);
            reap();
        }
        effects.forEach(Runnable::run);
    }

    /** The parameters a model loads with: {@code rkllm.model.*}, its file, its sidecar's overrides, its domain. */
    private ModelParams paramsFor(ModelFile file, @Nullable Integer domain) {
        ModelParams params = file.isDefault() ? this.base : this.base.withModelPath(file.path().toString());
        params = file.sidecar().params().withDefaults(params);
        return (domain != null) ? params.withBaseDomainId(domain) : params;
    }

    /**
     * With several residents allowed, the IOMMU domain a model loads into: the one its parameters name when no other
     * resident holds it, else the lowest free one, so that models together beyond 4 GB do not share one. With one
     * resident, the parameters' own (null: left as they say).
     */
    private @Nullable Integer domainFor(Entry entry, ModelFile file) {
        if (this.maxResident == 1) {
            return null;
        }
        List<Integer> taken = this.entries.values().stream()
            .filter((other) -> other != entry && other.state.resident() && other.domain != null)
            .map((other) -> other.domain)
            .toList();
        Integer preferred = file.sidecar().params().withDefaults(this.base).baseDomainId();
        if (preferred != null && !taken.contains(preferred)) {
            return preferred;
        }
        int domain = 0;
        while (taken.contains(domain)) {
            domain++;
        }
        return domain;
    }

    private Duration keepAlive(Entry entry) {
        return (entry.keepAlive != null) ? entry.keepAlive : this.settings.keepAlive();
    }

    /** When an idle loaded model goes; null while it is in use, not loaded, or kept for ever. */
    private @Nullable Instant keepAliveUntil(Entry entry) {
        Duration keepAlive = keepAlive(entry);
        if (entry.state != ModelState.READY || entry.leases > 0 || keepAlive.isNegative() || entry.lastUsed == null) {
            return null;
        }
        return entry.lastUsed.plus(keepAlive);
    }

    private ModelStatus status(Entry entry) {
        synchronized (this.lock) {
            return status(entry, entry.file);
        }
    }

    private ModelStatus status(Entry entry, ModelFile file) {
        Duration keepAlive = keepAlive(entry);
        return new ModelStatus(entry.id, file.sidecar().aliases(), file.isDefault(), entry.state, file.sizeBytes(),
                entry.loadedAt, (entry.loadTime != null) ? entry.loadTime.toMillis() : null, entry.lastUsed,
                keepAliveUntil(entry), (entry.state == ModelState.READY) ? millisOrForEver(keepAlive) : null,
                entry.domain, entry.leases + waiting(entry), entry.reason, file.sidecarError());
    }

    private static Long millisOrForEver(Duration keepAlive) {
        return keepAlive.isNegative() ? -1L : keepAlive.toMillis();
    }

    private int waiting(Entry entry) {
        return (int) this.pending.stream().filter((lease) -> lease.entry == entry).count();
    }

    private static ModelStatus idle(ModelFile file) {
        return new ModelStatus(file.id(), file.sidecar().aliases(), file.isDefault(), ModelState.UNLOADED,
                file.sizeBytes(), null, null, null, null, null, null, 0, null, file.sidecarError());
    }

    private static String sidecarReason(ModelFile file) {
        return "model " + file.id() + ": its sidecar " + file.sidecarError();
    }

    /** What a client may read of a failed load: the runtime's and the checks' own reasons, nothing internal. */
    private static String reasonOf(Throwable failure, String model) {
        Throwable ex = (failure instanceof ExecutionException && failure.getCause() != null) ? failure.getCause()
                : failure;
        if (ex instanceof RuntimeUnavailableException) {
            return ex.getMessage();
        }
        if (ex instanceof RkllmCallException) {
            return ex.getMessage() + " for model " + model;
        }
        if (ex instanceof InvalidParameterException) {
            return "invalid model parameter " + ex.getMessage() + " for model " + model;
        }
        logger.error("Loading model {} failed unexpectedly", model, ex);
        return "loading model " + model + " failed unexpectedly (see the service log)";
    }

    /** Where the runtime cannot hold several handles (before 1.2.2, or of unknown version), only one model loads. */
    private static int effectiveMaxResident(int configured, RuntimeLibrary library) {
        LibraryVersion version = library.version();
        if (configured > 1 && !library.available()) {
            return 1;
        }
        if (configured > 1 && (version == null || compare(version, MULTI_INSTANCE) < 0)) {
            logger.warn("rkllm.models.max-resident is {}, but runtime {} cannot hold several models in one process "
                    + "(1.2.2 and later can); one model is loaded at a time", configured,
                    (version != null) ? version : "of unknown version");
            return 1;
        }
        return configured;
    }

    private static int compare(LibraryVersion a, LibraryVersion b) {
        return Comparator.comparingInt(LibraryVersion::major)
            .thenComparingInt(LibraryVersion::minor)
            .thenComparingInt(LibraryVersion::patch)
            .compare(a, b);
    }

    /** One model as the resident set knows it; guarded by the set's lock. */
    private static final class Entry {

        final String id;

        final ModelActivity activity;

        ModelFile file;

        @Nullable RkllmRuntime runtime;

        ModelState state = ModelState.UNLOADED;

        /** Leases granted and not released: runs queued or running on it. */
        int leases;

        /** Takes no new runs until its own have ended, to make room for another model. */
        boolean draining;

        @Nullable Instant loadedAt;

        @Nullable Instant lastUsed;

        @Nullable Duration loadTime;

        /** The keep-alive the last run asked for; null for {@code rkllm.models.keep-alive}. */
        @Nullable Duration keepAlive;

        @Nullable Integer domain;

        @Nullable String reason;

        /** The file as it was when its load failed: the failure holds until the file changes. */
        @Nullable ModelFile failedFile;

        Entry(ModelFile file) {
            this.id = file.id();
            this.file = file;
            this.activity = new ModelActivity(file.id());
        }

        void fail(String why, ModelFile failed) {
            this.state = ModelState.FAILED;
            this.reason = why;
            this.failedFile = failed;
        }

    }

    /** A run's claim on one model. */
    private final class Lease implements ModelLease {

        final Entry entry;

        final @Nullable Duration keepAlive;

        final CompletableFuture<RkllmRuntime> future = new CompletableFuture<>();

        /** Guarded by the set's lock. */
        boolean granted;

        boolean released;

        Lease(Entry entry, @Nullable Duration keepAlive) {
            this.entry = entry;
            this.keepAlive = keepAlive;
        }

        @Override
        public String modelId() {
            return this.entry.id;
        }

        @Override
        public CompletableFuture<RkllmRuntime> runtime() {
            return this.future;
        }

        @Override
        public void release() {
            ResidentModels.this.release(this);
        }

    }

}
