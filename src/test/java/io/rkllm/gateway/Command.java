package io.rkllm.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a program for a test and hands back its exit code and its output, stdout and stderr merged. */
public final class Command {

    private Command() {
    }

    /**
     * Runs {@code command} in {@code directory} with {@code environment} added to this process's, and fails the test
     * if it has not finished within {@code timeout}. The output goes to a file, so a program that never ends cannot
     * block the read.
     */
    public static Result run(Path directory, Map<String, String> environment, Duration timeout, List<String> command)
            throws IOException {
        Path output = Files.createTempFile("command", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within " + timeout + ":\n" + read(output));
            }
            return new Result(process.exitValue(), read(output));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, ex);
        }
        finally {
            Files.deleteIfExists(output);
        }
    }

    private static String read(Path output) {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** What a program printed, and its exit code. */
    public record Result(int exitCode, String output) {

    }

}
