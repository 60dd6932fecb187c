package io.rkllm.gateway.nativebridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The simulator libraries the build compiled, its model file, and its test hook. */
public final class Simulator {

    /** Markers that make a run instant: no prefill, no pace. */
    public static final String FAST = "[[sim:prefill_ms=0]][[sim:delay_us=0]]";

    private Simulator() {
    }

    public static Path library(AbiGeneration generation) {
        return Path.of(System.getProperty("rkllm.sim.dir", "target/native"), generation.label(), "librkllmrt.so");
    }

    public static Path model() {
        return Path.of("native-libs/models/tiny-sim.rkllm");
    }

    /** A copy of the simulator model in {@code dir} with {@code keys} ({@code key=value} lines) added to its header. */
    public static Path modelWith(Path dir, String... keys) {
        try {
            String file = Files.readString(model(), StandardCharsets.UTF_8);
            int header = file.indexOf('\n') + 1;
            String changed = file.substring(0, header) + String.join("\n", keys) + "\n" + file.substring(header);
            return Files.writeString(dir.resolve("changed.rkllm"), changed, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The corpus the simulator continues with after echoing the prompt. */
    public static String corpus() {
        try {
            String file = Files.readString(model(), StandardCharsets.UTF_8);
            return file.substring(file.indexOf("\n---\n") + 5);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A runtime on the simulator with the model loaded. */
    public static RkllmRuntime open(AbiGeneration generation) {
        return open(generation, ModelParams.forModel(model().toString()));
    }

    /** A runtime on the simulator, its initialisation over (whatever its outcome). */
    public static RkllmRuntime open(AbiGeneration generation, ModelParams params) {
        RkllmRuntime runtime = RkllmRuntime.open(library(generation), "auto", params, CallbackObserver.NONE);
        runtime.initialization().orTimeout(10, TimeUnit.SECONDS).join();
        return runtime;
    }

    /** Runs {@code prompt} at full speed ({@link #FAST}) to its end. */
    public static RunResult runToEnd(RkllmRuntime runtime, String prompt) {
        return runtime.submit(RunRequest.prompt(prompt + FAST), new CollectingListener())
            .result()
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    }

    /** The simulator's own count of live allocations, across all its handles. */
    public static long liveAllocations(AbiGeneration generation) {
        return Native.load(library(generation).toString(), Hooks.class).rkllm_sim_live_allocations();
    }

    public static Duration timeout() {
        return Duration.ofSeconds(10);
    }

    /** The simulator's test hook, which Rockchip's library does not have. */
    interface Hooks extends Library {

        long rkllm_sim_live_allocations();

    }

}
