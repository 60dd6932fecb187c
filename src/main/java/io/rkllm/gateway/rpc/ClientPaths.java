package io.rkllm.gateway.rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Confines file paths that clients send to the directories they may use: models and LoRA adapters in
 * {@code rkllm.model-dir}, prompt caches in {@code rkllm.cache-dir}. A relative path is taken inside the directory;
 * after normalisation, and again after resolving links as the runtime's {@code open()} will, it must still be inside,
 * else -32007.
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
            if (value.isBlank()) {
                throw new InvalidPathException(value, "blank");
            }
            resolved = root.resolve(value).normalize();
        }
        catch (InvalidPathException ex) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, field + ": is not a valid path");
        }
        if (!resolved.startsWith(root) || resolved.equals(root) || !staysInside(resolved, root)) {
            throw new GatewayException(ErrorCode.PATH_NOT_ALLOWED,
                    field + ": path not allowed; it must be inside " + key);
        }
        return resolved.toString();
    }

    /** Whether {@code resolved}, with its links followed, is still below {@code root} (itself followed too). */
    private static boolean staysInside(Path resolved, Path root) {
        try {
            Path real = realPath(resolved);
            Path realRoot = realPath(root);
            return real.startsWith(realRoot) && !real.equals(realRoot);
        }
        catch (IOException ex) {
            // A dangling link, a loop or an unreadable directory: nobody can tell where the runtime would write.
            return false;
        }
    }

    /**
     * The real path of the nearest part of {@code path} that exists, with the names below it that do not exist yet
     * (they cannot be links). A dangling link exists as a link, so its real path fails: a file written through it
     * would land wherever the link points.
     */
    private static Path realPath(Path path) throws IOException {
        Path existing = path;
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        return existing.toRealPath().resolve(existing.relativize(path));
    }

}
