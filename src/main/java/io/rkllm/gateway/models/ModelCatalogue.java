package io.rkllm.gateway.models;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.rkllm.gateway.rpc.Echo;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a request can name: every {@code <id>.rkllm} directly in {@code rkllm.model-dir}, with its optional
 * {@code <id>.yaml} sidecar, and the default model {@code rkllm.model.model-path} wherever it lies. The directory is
 * read again every scan interval and whenever a name is not found, so files added or removed while the service runs
 * are noticed.
 */
public class ModelCatalogue {

    private static final Logger logger = LoggerFactory.getLogger(ModelCatalogue.class);

    private static final String EXTENSION = ".rkllm";

    /** The tag Ollama's clients give a name that has none: {@code <id>:latest} names the model {@code <id>}. */
    public static final String LATEST = ":latest";

    /** The default model's id when {@code rkllm.model.model-path} is not set. */
    static final String UNSET_DEFAULT_ID = "default";

    private final Path modelDir;

    private final @Nullable Path defaultPath;

    private final Clock clock;

    private final Duration scanInterval;

    private volatile Snapshot snapshot = new Snapshot(List.of(), Map.of());

    private volatile Instant scanned = Instant.MIN;

    /**
     * @param defaultModelPath {@code rkllm.model.model-path}; null when it is not set
     */
    public ModelCatalogue(Path modelDir, @Nullable String defaultModelPath, Clock clock, Duration scanInterval) {
        this.modelDir = modelDir.toAbsolutePath().normalize();
        this.defaultPath = (defaultModelPath != null) ? Path.of(defaultModelPath).toAbsolutePath().normalize() : null;
        this.clock = clock;
        this.scanInterval = scanInterval;
        rescan();
    }

    /** Every model, the default first, then by id; the directory is read again when the last read is too old. */
    public List<ModelFile> models() {
        if (!this.scanned.plus(this.scanInterval).isAfter(this.clock.instant())) {
            rescan();
        }
        return this.snapshot.models();
    }

    /**
     * The model with this id or alias, alone or tagged {@code :latest}; the directory is read again before saying
     * there is none.
     */
    public Optional<ModelFile> find(String name) {
        ModelFile found = lookup(name);
        if (found == null) {
            rescan();
            found = lookup(name);
        }
        return Optional.ofNullable(found);
    }

    private @Nullable ModelFile lookup(String name) {
        Map<String, ModelFile> byName = this.snapshot.byName();
        ModelFile found = byName.get(name);
        if (found == null && name.endsWith(LATEST)) {
            found = byName.get(name.substring(0, name.length() - LATEST.length()));
        }
        return found;
    }

    /** The model a request names (null: the default), or -32602 naming the {@code model} field. */
    public ModelFile resolve(@Nullable String name) {
        if (name == null) {
            return defaultModel();
        }
        return find(name).orElseThrow(() -> new GatewayException(ErrorCode.INVALID_PARAMS,
                "model: no model " + Echo.of(name) + " in rkllm.model-dir (see models_status)"));
    }

    /** The model used when a request names none. */
    public ModelFile defaultModel() {
        return this.snapshot.models().get(0);
    }

    /** Whether a model with this id is still in the catalogue as last read, without reading the directory. */
    public boolean contains(String id) {
        ModelFile found = this.snapshot.byName().get(id);
        return found != null && found.id().equals(id);
    }

    /** Reads the directory and the sidecars again. */
    public synchronized void rescan() {
        List<ModelFile> models = new ArrayList<>();
        ModelFile fallback = describe(defaultId(), this.defaultPath, true);
        models.add(fallback);
        for (Path file : modelFiles()) {
            if (!file.equals(this.defaultPath)) {
                models.add(describe(idOf(file), file, false));
            }
        }
        models.subList(1, models.size()).sort((a, b) -> a.id().compareTo(b.id()));
        Map<String, ModelFile> byName = new LinkedHashMap<>();
        models.forEach((model) -> name(byName, model.id(), model));
        models.forEach((model) -> model.sidecar().aliases().forEach((alias) -> name(byName, alias, model)));
        Snapshot fresh = new Snapshot(List.copyOf(models), Collections.unmodifiableMap(byName));
        if (!fresh.byName().keySet().equals(this.snapshot.byName().keySet())) {
            logger.info("Models in {}: {}", this.modelDir, fresh.models().stream().map(ModelFile::id).toList());
        }
        this.snapshot = fresh;
        this.scanned = this.clock.instant();
    }

    private String defaultId() {
        return (this.defaultPath != null) ? idOf(this.defaultPath) : UNSET_DEFAULT_ID;
    }

    private List<Path> modelFiles() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(this.modelDir, "*" + EXTENSION)) {
            for (Path file : dir) {
                if (Files.isRegularFile(file)) {
                    files.add(file.toAbsolutePath().normalize());
                }
            }
        }
        catch (NoSuchFileException ex) {
            logger.debug("No model directory at {}", this.modelDir);
        }
        catch (IOException ex) {
            logger.warn("Cannot read the model directory {}: {}", this.modelDir, ex.toString());
        }
        return files;
    }

    private ModelFile describe(String id, @Nullable Path file, boolean isDefault) {
        Path path = (file != null) ? file : Path.of("");
        long size = 0;
        Instant modified = Instant.EPOCH;
        try {
            size = Files.size(path);
            modified = Files.getLastModifiedTime(path).toInstant();
        }
        catch (IOException ex) {
            // Missing or unreadable: listed all the same, and its load says why it fails.
        }
        ModelSidecar sidecar = ModelSidecar.none();
        String error = null;
        Path sidecarFile = path.resolveSibling(id + ".yaml");
        if (file != null && Files.isRegularFile(sidecarFile)) {
            try {
                Instant changed = Files.getLastModifiedTime(sidecarFile).toInstant();
                modified = changed.isAfter(modified) ? changed : modified;
                sidecar = ModelSidecar.read(sidecarFile, this.modelDir);
            }
            catch (IOException | IllegalArgumentException ex) {
                error = sidecarFile.getFileName() + " " + ex.getMessage();
                logger.warn("Model {}: sidecar {}", id, error);
            }
        }
        return new ModelFile(id, path, size, modified, sidecar, error, isDefault);
    }

    private static void name(Map<String, ModelFile> byName, String name, ModelFile model) {
        ModelFile taken = byName.putIfAbsent(name, model);
        if (taken != null && taken != model) {
            logger.warn("Model name '{}' of {} is already taken by {}; ignored", name, model.id(), taken.id());
        }
    }

    private static String idOf(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(EXTENSION) ? name.substring(0, name.length() - EXTENSION.length()) : name;
    }

    /** One read of the directory: the models in order, and each by its id and aliases. */
    private record Snapshot(List<ModelFile> models, Map<String, ModelFile> byName) {
    }

}
