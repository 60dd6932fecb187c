package io.rkllm.gateway.rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;

/**
 * Confines file paths that clients send to the directories they may use: models and LoRA adapters in
 * {@code rkllm.model-dir}, prompt caches in {@code rkllm.cache-dir}. A relative path is taken inside the directory;
 * after normalisation (and, for existing files, after resolving links) it must still be inside, else -32007.
 */
public final class ClientPaths {

    private final Path modelDir;

    private final Path cacheDir;

    public ClientPaths(Path modelDir, Path cacheDir) {
        this.modelDir = modelDir.toAbsolutePath().normalize();
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
    }

    /** A model or LoRA file, inside {@code rkllm.model-dir}. */
    public String model(String field, String value) {
        return confine(field, value, this.modelDir, "rkllm.model-dir");
    }

    /** A prompt-cache file, inside {@code rkllm.cache-dir}. */
    public String cache(String field, String value) {
        return confine(field, value, this.cacheDir, "rkllm.cache-dir");
    }

    private static String confine(String field, String value, Path root, String key) {
        Path resolved;
        try {
            if (value.isBlank() || value.indexOf('\0') >= 0) {
                throw new InvalidPathException(value, "blank or NUL");
            }
            resolved = root.resolve(value).normalize();
        }
        catch (InvalidPathException ex) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, field + ": is not a valid path");
        }
        if (!resolved.startsWith(root) || resolved.equals(root) || !realPathInside(resolved, root)) {
            throw new GatewayException(ErrorCode.PATH_NOT_ALLOWED,
                    field + ": path not allowed; it must be inside " + key);
        }
        return resolved.toString();
    }

    private static boolean realPathInside(Path resolved, Path root) {
        if (!Files.exists(resolved)) {
            return true;
        }
        try {
            return resolved.toRealPath().startsWith(root.toRealPath());
        }
        catch (IOException ex) {
            return false;
        }
    }

}
