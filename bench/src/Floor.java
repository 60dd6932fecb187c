import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.nativebridge.Perf;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.RunResult;
import io.rkllm.gateway.nativebridge.binding.LLMCallState;
import io.rkllm.gateway.nativebridge.binding.LLMResultCallback;
import io.rkllm.gateway.nativebridge.binding.RKLLMResult;
import io.rkllm.gateway.nativebridge.binding.v1_3.RKLLMCallback;
import io.rkllm.gateway.nativebridge.binding.v1_3.RKLLMInferParam;
import io.rkllm.gateway.nativebridge.binding.v1_3.RKLLMInput;
import io.rkllm.gateway.nativebridge.binding.v1_3.RKLLMParam;
import io.rkllm.gateway.nativebridge.binding.v1_3.RkllmLibraryV13;

/**
 * Measurement 1, in process, no HTTP: the simulator (1.3 build) delivering {@code tokens} tokens as fast as it can
 * (1b) into a Java JNA callback that does nothing, bound the way {@code RkllmRuntime} binds its own, and (bridge)
 * through {@code RkllmRuntime} into a {@code TokenListener}, with the runtime's UTF-8 decoding. First it checks that
 * the simulator's {@code [[sim:stamp]]} clock is the clock of {@link System#nanoTime()}, which measurement 3 relies on.
 * Then 4's floor: measurement 4's runs handed to {@code RkllmRuntime} back to back, without the service, wall time
 * against the simulator's busy time, so that 4 shows what the service adds to what the runtime and the simulator cost.
 *
 * <p>Usage: {@code Floor <librkllmrt.so> <model file> <tokens> <repetitions> full|smoke}.
 */
public final class Floor {

    private Floor() {
    }

    public static void main(String[] args) throws Exception {
        Path library = Path.of(args[0]);
        String model = args[1];
        long tokens = Long.parseLong(args[2]);
        int repetitions = Integer.parseInt(args[3]);
        String fast = "[[sim:tokens=" + tokens + "]][[sim:delay_us=0]][[sim:prefill_ms=0]]";

        try (NoopHandle noop = new NoopHandle(library, model);
                RkllmRuntime runtime = RkllmRuntime.open(library, "1.3", ModelParams.forModel(model),
                        CallbackObserver.NONE)) {
            noop.checkClock();
            if (!runtime.initialization().get(30, TimeUnit.SECONDS).ready()) {
                throw new IllegalStateException("runtime not ready: " + runtime.status());
            }
            AtomicLong chars = new AtomicLong();
            Service.Step noopRun = () -> noop.run(fast);
            Service.Step bridgeRun = () -> {
                RunResult result = runtime.submit(RunRequest.prompt(fast),
                        (text, tokenId) -> chars.addAndGet(text.length())).result().get(10, TimeUnit.MINUTES);
                if (result.tokens() != tokens) {
                    throw new IllegalStateException("bridge run delivered " + result.tokens() + " of " + tokens);
                }
            };
            // Warm-up (JIT, the callback thread's first attach), then both alternately, so that a change in the
            // machine's load meanwhile does not favour one of them.
            noopRun.run();
            bridgeRun.run();
            for (int i = 0; i < repetitions; i++) {
                Stats.result("floor.jna_noop", tokens / seconds(noopRun));
                Stats.result("bridge.listener", tokens / seconds(bridgeRun));
            }
            Service.Sizes sizes = Service.sizes(args[4]);
            sizes.repeat((reported) -> {
                double overhead = queueOverheadPct(runtime, sizes);
                if (reported) {
                    Stats.result("floor.queue_overhead_pct", overhead);
                }
            });
        }
    }

    /** Measurement 4's runs queued on the runtime at once, as its own worker takes them: wall / busy - 1, in %. */
    private static double queueOverheadPct(RkllmRuntime runtime, Service.Sizes sizes) throws Exception {
        RunRequest request = RunRequest.prompt(Service.queuePrompt(sizes));
        List<CompletableFuture<RunResult>> results = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < sizes.queueRuns(); i++) {
            results.add(runtime.submit(request, (text, tokenId) -> {
            }).result());
        }
        double busyMs = 0;
        for (CompletableFuture<RunResult> result : results) {
            RunResult run = result.get(10, TimeUnit.MINUTES);
            Perf perf = run.perf();
            if (run.tokens() != sizes.queueTokens() || perf == null) {
                throw new IllegalStateException("a queued run ended " + run.finishReason() + " after " + run.tokens()
                        + " of " + sizes.queueTokens() + " tokens");
            }
            busyMs += perf.prefillTimeMs() + perf.generateTimeMs();
        }
        double wallMs = (System.nanoTime() - start) / 1e6;
        return (wallMs - busyMs) / busyMs * 100;
    }

    private static double seconds(Service.Step action) throws Exception {
        long start = System.nanoTime();
        action.run();
        return (System.nanoTime() - start) / 1e9;
    }

    /** A handle of the simulator with a result callback that only counts, as the C floor's does. */
    private static final class NoopHandle implements AutoCloseable {

        private final RkllmLibraryV13 lib;

        private final Pointer handle;

        /** Kept reachable for the handle's lifetime: native code holds pointers into them. */
        private final Object[] retained;

        private final NoopCallback callback = new NoopCallback();

        NoopHandle(Path library, String model) {
            this.lib = Native.load(library.toString(), RkllmLibraryV13.class);
            // rkllm_createDefaultParam returns the struct by value; the copy passed to rkllm_init is by reference.
            RKLLMParam.ByValue defaults = this.lib.rkllm_createDefaultParam();
            RKLLMParam param = new RKLLMParam();
            param.getPointer().write(0, defaults.getPointer().getByteArray(0, defaults.size()), 0, defaults.size());
            param.read();
            param.model_path = utf8(model);
            param.max_new_tokens = -1;
            // Exactly as RkllmRuntime binds its callback: daemon thread, attached once, not detached per call.
            Native.setCallbackThreadInitializer(this.callback,
                    new CallbackThreadInitializer(true, false, "bench-noop-callback"));
            RKLLMCallback callbacks = new RKLLMCallback();
            callbacks.result_callback = this.callback;
            PointerByReference out = new PointerByReference();
            if (this.lib.rkllm_init(out, param, callbacks) != 0) {
                throw new IllegalStateException("rkllm_init failed");
            }
            this.handle = out.getValue();
            this.retained = new Object[] { param, callbacks };
        }

        void run(String prompt) {
            RKLLMInput input = new RKLLMInput();
            input.role = utf8("user");
            input.input_type = 0; // RKLLM_INPUT_PROMPT
            input.input.prompt_input = utf8(prompt);
            input.input.setType("prompt_input");
            RKLLMInferParam infer = new RKLLMInferParam();
            if (this.lib.rkllm_run(this.handle, input, infer, null) != 0 || !this.callback.finished) {
                throw new IllegalStateException("rkllm_run failed");
            }
            this.callback.finished = false;
        }

        /**
         * Measurement 3 compares the simulator's {@code t=<ns>;} stamps ({@code clock_gettime(CLOCK_MONOTONIC)}, in
         * another process) with the client's {@link System#nanoTime()}. HotSpot on Linux implements nanoTime with
         * {@code clock_gettime(CLOCK_MONOTONIC)} (os::javaTimeNanos, os_posix.cpp, JDK 16+ without fallback), and that
         * clock is system-wide within one boot. This checks it here: every stamp must lie between a nanoTime read
         * before the run and one read in the callback right after the stamp was taken.
         */
        void checkClock() {
            this.callback.lowerBound = System.nanoTime();
            this.callback.checkStamps = true;
            run("[[sim:tokens=1000]][[sim:delay_us=0]][[sim:prefill_ms=0]][[sim:stamp]]");
            this.callback.checkStamps = false;
            if (this.callback.stampViolations > 0) {
                throw new IllegalStateException("the simulator's stamps are not System.nanoTime() (CLOCK_MONOTONIC): "
                        + this.callback.stampViolations + " of 1000 outside [before run, in callback]");
            }
            Stats.log("clock check: 1000 stamps within System.nanoTime() bounds; CLOCK_MONOTONIC == nanoTime");
        }

        @Override
        public void close() {
            this.lib.rkllm_destroy(this.handle);
            java.lang.ref.Reference.reachabilityFence(this.retained);
            java.lang.ref.Reference.reachabilityFence(this.callback);
        }

        private static Memory utf8(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            Memory memory = new Memory(bytes.length + 1L);
            memory.write(0, bytes, 0, bytes.length);
            memory.setByte(bytes.length, (byte) 0);
            return memory;
        }

    }

    /**
     * Does nothing per token but note the FINISH; in the clock check it also reads the stamp, which must not be older
     * than the previous one (or than the run's start) nor newer than now.
     */
    private static final class NoopCallback implements LLMResultCallback {

        volatile boolean finished;

        boolean checkStamps;

        long lowerBound;

        int stampViolations;

        @Override
        public int invoke(Pointer result, Pointer userdata, int state) {
            if (state == LLMCallState.RKLLM_RUN_FINISH) {
                this.finished = true;
            }
            else if (this.checkStamps && state == LLMCallState.RKLLM_RUN_NORMAL) {
                String text = result.getPointer(RKLLMResult.TEXT_OFFSET).getString(0);
                long stamp = Long.parseLong(text.substring(2, text.length() - 1)); // "t=<ns>;"
                long now = System.nanoTime();
                if (stamp > now || stamp < this.lowerBound) {
                    this.stampViolations++;
                }
                this.lowerBound = stamp;
            }
            return 0;
        }

    }

}
