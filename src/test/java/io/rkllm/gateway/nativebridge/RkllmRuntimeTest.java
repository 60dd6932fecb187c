package io.rkllm.gateway.nativebridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link RkllmRuntime} on the simulator of both ABI generations, through the real JNA path and callback thread. */
class RkllmRuntimeTest {

    private static RunResult runToEnd(RkllmRuntime runtime, String prompt, CollectingListener listener) {
        return runtime.submit(RunRequest.prompt(prompt), listener).result().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void runStreamsTheEchoedPromptThenCorpusTextFromTheNativeThread(AbiGeneration abi) {
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            assertThat(runtime.status().ready()).isTrue();
            assertThat(runtime.status().version()).startsWith(abi.label());
            CollectingListener listener = new CollectingListener();
            RunResult result = runToEnd(runtime, "Hello there, board." + Simulator.FAST + "[[sim:tokens=40]]",
                    listener);
            assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(result.tokens()).isEqualTo(40);
            assertThat(result.perf()).isNotNull();
            assertThat(result.perf().generateTokens()).isEqualTo(40);
            String expected = "Hello there, board." + Simulator.corpus();
            assertThat(expected).startsWith(listener.text());
            assertThat(listener.text()).startsWith("Hello there, board.").hasSizeGreaterThan(25);
            assertThat(listener.threads()).doesNotContain(Thread.currentThread().getName(), "rkllm-worker");
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void cjkAndEmojiSplitAcrossCallbacksComeBackIntact(AbiGeneration abi) {
        String prompt = "日本語の文章、中文字符 and emoji 🎉🚀 façade Ωmega";
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            CollectingListener listener = new CollectingListener();
            RunResult result = runToEnd(runtime, prompt + Simulator.FAST, listener);
            assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(listener.text()).startsWith(prompt).doesNotContain("\uFFFD");
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void abortMidRunReturnsPromptlyAndTheNextRunStartsClean(AbiGeneration abi) {
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            CollectingListener first = new CollectingListener();
            NativeRun run = runtime.submit(
                    RunRequest.prompt("FIRST [[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=10000]]"), first);
            await().atMost(Simulator.timeout()).until(() -> first.tokens() >= 5);
            assertThat(runtime.isRunning()).isTrue();
            long abortedAt = System.nanoTime();
            assertThat(run.abort()).isTrue();
            RunResult result = run.result().orTimeout(2, TimeUnit.SECONDS).join();
            assertThat(Duration.ofNanos(System.nanoTime() - abortedAt)).isLessThan(Duration.ofSeconds(1));
            assertThat(result.finishReason()).isEqualTo(FinishReason.ABORTED);
            assertThat(result.tokens()).isLessThan(10000);
            assertThat(runtime.isRunning()).isFalse();
            int delivered = first.tokens();

            CollectingListener second = new CollectingListener();
            RunResult next = runToEnd(runtime, "SECOND" + Simulator.FAST + "[[sim:tokens=20]]", second);
            assertThat(next.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(second.text()).startsWith("SECOND").doesNotContain("FIRST");
            assertThat(first.tokens()).isEqualTo(delivered);
            assertThat(run.abort()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void abortDuringPrefillIsHonouredWhenPrefillEnds(AbiGeneration abi) {
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            CollectingListener listener = new CollectingListener();
            NativeRun run = runtime.submit(RunRequest.prompt("[[sim:prefill_ms=300]][[sim:delay_us=0]]"), listener);
            await().atMost(Simulator.timeout()).until(runtime::isRunning);
            long abortedAt = System.nanoTime();
            run.abort();
            RunResult result = run.result().orTimeout(5, TimeUnit.SECONDS).join();
            assertThat(result.finishReason()).isEqualTo(FinishReason.ABORTED);
            assertThat(listener.tokens()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - abortedAt)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void isRunningIsTrueDuringARunAndFalseAfter(AbiGeneration abi) {
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            assertThat(runtime.isRunning()).isFalse();
            CollectingListener listener = new CollectingListener();
            NativeRun run = runtime.submit(
                    RunRequest.prompt("[[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=100]]"), listener);
            await().atMost(Simulator.timeout()).until(() -> listener.tokens() > 0);
            assertThat(runtime.isRunning()).isTrue();
            run.result().orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(runtime.isRunning()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void injectedErrorEndsTheRunAsAnError(AbiGeneration abi) {
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            CollectingListener listener = new CollectingListener();
            RunResult result = runToEnd(runtime, "x" + Simulator.FAST + "[[sim:error_at=3]][[sim:tokens=10]]",
                    listener);
            assertThat(result.finishReason()).isEqualTo(FinishReason.ERROR);
            assertThat(result.error()).contains("error");
            assertThat(listener.tokens()).isEqualTo(3);
            assertThat(runToEnd(runtime, "ok" + Simulator.FAST, new CollectingListener()).finishReason())
                    .isEqualTo(FinishReason.STOP);
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void maxNewTokensAtInitEndsRunsWithLength(AbiGeneration abi) {
        ModelParams params = new ModelParams(Simulator.model().toString(), null, 7, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        try (RkllmRuntime runtime = Simulator.open(abi, params)) {
            RunResult result = runToEnd(runtime, "limited" + Simulator.FAST, new CollectingListener());
            assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(result.tokens()).isEqualTo(7);
        }
    }

    @Test
    void perRunSamplingAndTokenLimitWorkOn13() {
        try (RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_3)) {
            RunRequest request = new RunRequest(InputKind.PROMPT, "sampled" + Simulator.FAST, null, null, 0, "user",
                    false, InferMode.GENERATE, false, 5,
                    new Sampling(1, 0.5f, 0.1f, null, null, null, null, null, null), null, null);
            RunResult result = runtime.submit(request, new CollectingListener()).result().join();
            assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(result.tokens()).isEqualTo(5);
        }
    }

    @Test
    void perRunSamplingIsRefusedOn12NotDropped() {
        try (RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_2)) {
            RunRequest request = new RunRequest(InputKind.PROMPT, "x", null, null, 0, "user", false,
                    InferMode.GENERATE, false, null, new Sampling(null, 0.5f, null, null, null, null, null, null, null),
                    null, null);
            assertThatThrownBy(() -> runtime.submit(request, new CollectingListener()))
                    .isInstanceOf(InvalidParameterException.class)
                    .hasMessageContaining("sampling")
                    .hasMessageContaining("1.3");
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void tokenInputRunsFromCorpus(AbiGeneration abi) {
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            RunRequest request = new RunRequest(InputKind.TOKEN, null, new int[] { 1, 2, 3 }, null, 0, "user", false,
                    InferMode.GENERATE, false, null, null, null, null);
            CollectingListener listener = new CollectingListener();
            RunResult result = runtime.submit(request, listener).result().join();
            assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(Simulator.corpus()).startsWith(listener.text());
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void nothingOfARunCarriesIntoTheNext(AbiGeneration abi, @TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache.bin");
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            runtime.loadLora(Simulator.model().toString(), "style", 0.5f).join();
            RunRequest saving = new RunRequest(InputKind.PROMPT, "saved" + Simulator.FAST, null, null, 0, "user", true,
                    InferMode.GENERATE, false, null, null, "style", new RunRequest.PromptCacheSave(true, cache.toString()));
            RunRequest tokens = new RunRequest(InputKind.TOKEN, null, new int[] { 1, 2, 3 }, null, 0, "user", false,
                    InferMode.GENERATE, false, null, null, null, null);

            assertThat(runtime.submit(saving, new CollectingListener()).result().join().finishReason())
                .isEqualTo(FinishReason.STOP);
            assertThat(Files.readString(cache)).startsWith("saved");
            Files.delete(cache);
            CollectingListener fromTokens = new CollectingListener();
            assertThat(runtime.submit(tokens, fromTokens).result().join().finishReason()).isEqualTo(FinishReason.STOP);
            CollectingListener fromPrompt = new CollectingListener();
            runToEnd(runtime, "prompt again" + Simulator.FAST, fromPrompt);

            assertThat(cache).doesNotExist();
            assertThat(Simulator.corpus()).startsWith(fromTokens.text());
            assertThat(fromPrompt.text()).startsWith("prompt again");
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void handleFunctionsReachTheLibrary(AbiGeneration abi) {
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            runToEnd(runtime, "four words in here" + Simulator.FAST + "[[sim:tokens=12]]", new CollectingListener());
            int[] sizes = runtime.kvCacheSizes().join();
            assertThat(sizes).hasSize(1);
            assertThat(sizes[0]).isPositive();
            runtime.clearKvCache(false, null, null).join();
            assertThat(runtime.kvCacheSizes().join()).containsExactly(0);
            runtime.setChatTemplate("You are terse.", "<user>", "</user>").join();
            runtime.setFunctionTools("sys", "[]", "tool_response").join();
            runtime.loadLora(Simulator.model().toString(), "style", 0.5f).join();
            runtime.loadPromptCache(Simulator.model().toString()).join();
            runtime.releasePromptCache().join();
            assertThat(runtime.defaultParams().join().topK()).isEqualTo(40);
            assertThatThrownBy(() -> runtime.loadPromptCache("/nonexistent/cache.bin").join())
                    .hasCauseInstanceOf(RkllmCallException.class)
                    .hasMessageContaining("rkllm_load_prompt_cache");
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void destroyThenInitReloadsTheModel(AbiGeneration abi) {
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            runtime.destroy().join();
            assertThat(runtime.status().ready()).isFalse();
            assertThatThrownBy(() -> runtime.submit(RunRequest.prompt("x"), new CollectingListener()))
                    .isInstanceOf(RuntimeUnavailableException.class);
            runtime.init(ModelParams.forModel(Simulator.model().toString())).join();
            assertThat(runtime.status().ready()).isTrue();
            assertThat(runToEnd(runtime, "back" + Simulator.FAST, new CollectingListener()).finishReason())
                    .isEqualTo(FinishReason.STOP);
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void missingModelFileLeavesTheRuntimeUnavailableWithTheReason(AbiGeneration abi) {
        try (RkllmRuntime runtime = Simulator.open(abi, ModelParams.forModel("/nonexistent/model.rkllm"))) {
            assertThat(runtime.status().state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
            assertThat(runtime.status().reason()).contains("model_path").contains("/nonexistent/model.rkllm");
            assertThatThrownBy(() -> runtime.submit(RunRequest.prompt("x"), new CollectingListener()))
                    .isInstanceOf(RuntimeUnavailableException.class)
                    .hasMessageContaining("model_path");
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void modelFileTheRuntimeRefusesFailsInitCleanly(AbiGeneration abi) {
        Path notAModel = Path.of("pom.xml");
        try (RkllmRuntime runtime = Simulator.open(abi, ModelParams.forModel(notAModel.toString()))) {
            assertThat(runtime.status().state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
            assertThat(runtime.status().reason()).contains("rkllm_init failed with code -1");
        }
    }

    @Test
    void missingLibraryLeavesTheRuntimeUnavailable() {
        try (RkllmRuntime runtime = RkllmRuntime.open(Path.of("/nonexistent/librkllmrt.so"), "auto",
                ModelParams.forModel(Simulator.model().toString()), CallbackObserver.NONE)) {
            assertThat(runtime.status().state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
            assertThat(runtime.status().reason()).contains("no runtime library at /nonexistent/librkllmrt.so");
            assertThat(runtime.isRunning()).isFalse();
            assertThatThrownBy(runtime::kvCacheSizes).isInstanceOf(RuntimeUnavailableException.class);
        }
    }

    @Test
    void explicitAbiThatTheLibraryContradictsIsRefused() {
        try (RkllmRuntime runtime = RkllmRuntime.open(Simulator.library(AbiGeneration.V1_3), "1.2",
                ModelParams.forModel(Simulator.model().toString()), CallbackObserver.NONE)) {
            assertThat(runtime.status().state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
            assertThat(runtime.status().reason()).contains("rkllm.abi is 1.2").contains("1.3.0");
        }
    }

    @Test
    void autoRefusesToGuessForALibraryWithoutVersion() {
        Path noBanner = Path.of(System.getProperty("java.home"), "lib", "libjava.so");
        try (RkllmRuntime runtime = RkllmRuntime.open(noBanner, "auto", ModelParams.unset(), CallbackObserver.NONE)) {
            assertThat(runtime.status().reason()).contains("carries no 'RKLLM SDK (version:").contains("rkllm.abi");
        }
    }

}
