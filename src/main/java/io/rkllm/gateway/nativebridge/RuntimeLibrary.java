package io.rkllm.gateway.nativebridge;

import java.nio.file.Path;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime library as the service loaded it once, and the source of one {@link RkllmRuntime} per model handle: each
 * gets an ABI adapter of its own, since an adapter holds the structs of its handle's runs. A library that could not
 * be loaded is kept with the reason, and every runtime opened on it is unavailable for that reason.
 */
public final class RuntimeLibrary {

    private static final Logger logger = LoggerFactory.getLogger(RuntimeLibrary.class);

    private final Path path;

    /** Null when the library could not be loaded; its adapter only checks requests and never holds a handle. */
    private final @Nullable LoadedLibrary loaded;

    private final @Nullable String reason;

    private RuntimeLibrary(Path path, @Nullable LoadedLibrary loaded, @Nullable String reason) {
        this.path = path;
        this.loaded = loaded;
        this.reason = reason;
    }

    /** Loads {@code path} with the ABI {@code abi} picks ({@code auto}, {@code 1.2}, {@code 1.3}); never throws. */
    public static RuntimeLibrary load(Path path, String abi) {
        try {
            LoadedLibrary library = LoadedLibrary.load(path, abi);
            logger.info("Loaded {} (runtime {}, ABI {})", library.path(),
                    (library.version() != null) ? library.version() : "of unknown version",
                    library.adapter().generation().label());
            return new RuntimeLibrary(path, library, null);
        }
        catch (RuntimeUnavailableException ex) {
            logger.error("RKLLM runtime unavailable: {}", ex.getMessage());
            return new RuntimeLibrary(path, null, ex.getMessage());
        }
    }

    /** A library already loaded (tests give one with a hand-made adapter). */
    static RuntimeLibrary of(LoadedLibrary library) {
        return new RuntimeLibrary(library.path(), library, null);
    }

    public Path path() {
        return this.path;
    }

    /** Whether the library is loaded. */
    public boolean available() {
        return this.loaded != null;
    }

    /** Why the library is not loaded; null when it is. */
    public @Nullable String unavailableReason() {
        return this.reason;
    }

    /** The runtime version the library file carries; null when it carries none or was not loaded. */
    public @Nullable LibraryVersion version() {
        return (this.loaded != null) ? this.loaded.version() : null;
    }

    /**
     * Refuses a run the service cannot take whatever model it names: {@link RuntimeUnavailableException} when the
     * library is not loaded, {@link InvalidParameterException} for a field its ABI cannot carry.
     */
    public void checkSupported(RunRequest request) {
        if (this.loaded == null) {
            throw new RuntimeUnavailableException(Objects.requireNonNull(this.reason));
        }
        this.loaded.adapter().checkSupported(request);
    }

    /** A runtime with its own handle that starts initialising {@code model} at once; see {@link RkllmRuntime#open}. */
    public RkllmRuntime open(ModelParams model, CallbackObserver observer) {
        if (this.loaded == null) {
            return RkllmRuntime.unavailable(this.path, Objects.requireNonNull(this.reason));
        }
        return RkllmRuntime.open(handleLibrary(), model, observer);
    }

    /**
     * A runtime with its own handle and no model loaded yet: {@link RkllmRuntime#init} loads one. Its worker thread
     * starts with the first call.
     */
    public RkllmRuntime unloaded(String modelPath, CallbackObserver observer) {
        if (this.loaded == null) {
            return RkllmRuntime.unavailable(this.path, Objects.requireNonNull(this.reason));
        }
        return RkllmRuntime.unloaded(handleLibrary(), modelPath, observer);
    }

    /** The library with an adapter of its own, for one more handle. */
    private LoadedLibrary handleLibrary() {
        LoadedLibrary library = Objects.requireNonNull(this.loaded);
        return new LoadedLibrary(library.path(), AbiAdapter.load(library.path(), library.adapter().generation()),
                library.version());
    }

}
