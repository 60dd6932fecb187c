package io.rkllm.gateway.chat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Optional;

import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import org.jspecify.annotations.Nullable;

/**
 * The model the runtime serves, as the model lists of both APIs describe it. The id is the file name without
 * {@code .rkllm}; the digest stands for the file's path, size and modification time (hashing a model of gigabytes
 * at every listing would cost seconds on a board).
 *
 * @param contextLength the context window the model was loaded with, when known
 */
public record ServedModel(String id, long size, Instant modified, String digest, @Nullable Integer contextLength) {

    private static final String SUFFIX = ".rkllm";

    /** The tag Ollama's clients give a name that has none. */
    public static final String LATEST = ":latest";

    /** The runtime's model; empty when no model is configured. */
    public static Optional<ServedModel> of(RkllmRuntime runtime) {
        String modelPath = runtime.status().modelPath();
        if (modelPath == null) {
            return Optional.empty();
        }
        Path path = Path.of(modelPath);
        String name = path.getFileName().toString();
        String id = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
        long size = 0;
        Instant modified = Instant.EPOCH;
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            size = attributes.size();
            modified = attributes.lastModifiedTime().toInstant();
        }
        catch (IOException ex) {
            // A model file that is gone still has a name: health tells why it is not loaded.
        }
        ModelParams params = runtime.activeParams();
        String identity = path.toAbsolutePath() + "|" + size + "|" + modified;
        return Optional.of(new ServedModel(id, size, modified, Sha256.hex(identity.getBytes(StandardCharsets.UTF_8)),
                (params != null) ? params.maxContextLen() : null));
    }

    /** Whether a request's model names this one: its id, alone or tagged {@code :latest}. */
    public boolean isNamed(String requested) {
        return requested.equals(this.id) || requested.equals(this.id + LATEST);
    }

}
