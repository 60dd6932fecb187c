package io.rkllm.gateway.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Simulator model files for tests: each a corpus of its own, so that an answer tells which model wrote it. */
public final class SimModelFiles {

    private SimModelFiles() {
    }

    /** Writes {@code <id>.rkllm} in {@code dir}: a simulator model whose corpus is {@code corpus} repeated. */
    public static Path model(Path dir, String id, String corpus, String... keys) {
        String header = String.join("\n", keys);
        return write(dir, id + ".rkllm", "RKLLM-SIM-MODEL 1\n" + header + (header.isEmpty() ? "" : "\n") + "---\n"
                + (corpus + " ").repeat(20));
    }

    /** Writes a file of {@code dir} (a sidecar, a broken model) as UTF-8 text. */
    public static Path write(Path dir, String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A new temporary directory. */
    public static Path directory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
