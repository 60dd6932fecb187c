package io.rkllm.gateway.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.rkllm.gateway.Command;

/** The scripts of compat-check/: the official npm clients, pinned in its package-lock.json, run by Node. */
final class CompatCheck {

    private static final Path DIR = Path.of("compat-check").toAbsolutePath();

    private CompatCheck() {
    }

    /** Runs {@code script} with the base URL it takes, failing the test clearly when the packages are missing. */
    static Command.Result node(String script, String baseUrl) throws IOException {
        if (!Files.isDirectory(DIR.resolve("node_modules/openai"))
                || !Files.isDirectory(DIR.resolve("node_modules/ollama"))) {
            throw new AssertionError("The compatibility checks need their npm packages, which are not installed: run "
                    + "`npm ci --prefix compat-check` in the repository root (Node.js 20 or later)");
        }
        return Command.run(DIR, Map.of(), Duration.ofSeconds(60), List.of("node", DIR.resolve(script).toString(),
                baseUrl));
    }

}
