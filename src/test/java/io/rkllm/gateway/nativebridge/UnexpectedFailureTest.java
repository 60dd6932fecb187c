package io.rkllm.gateway.nativebridge;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Failures no check foresees (a runtime exception, a JNA error, an exhausted heap) still end what waits for them: the
 * init's caller and the runtime status, a run's result, and the queue behind it.
 */
class UnexpectedFailureTest {

    static Stream<Throwable> faults() {
        return Stream.of(new IllegalStateException("injected"),
                new UnsatisfiedLinkError("Error looking up function 'rkllm_init': injected"),
                new OutOfMemoryError("injected"));
    }


    @ParameterizedTest
    @MethodSource("faults")
    void startUpInitThatThrowsLeavesTheRuntimeUnavailableWithAFixedReason(Throwable fault) {
        try (RkllmRuntime runtime = new FaultyLibrary().failNext("rkllm_init", fault).open()) {
            RuntimeStatus status = runtime.status();

            assertThat(status.state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
            assertThat(status.reason()).isEqualTo("rkllm_init failed unexpectedly (see the service log)");
            assertThatThrownBy(() -> runtime.submit(RunRequest.prompt("x"), new CollectingListener()))
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageNotContaining("injected");
        }
    }

    @ParameterizedTest
    @MethodSource("faults")
    void initThatThrowsEndsTheCallAndTheStatusThenTheNextInitLoads(Throwable fault) {
        FaultyLibrary library = new FaultyLibrary();
        try (RkllmRuntime runtime = library.open()) {
            assertThat(runtime.status().ready()).isTrue();
            library.failNext("rkllm_init", fault);

            assertThatThrownBy(() -> runtime.init(ModelParams.forModel(Simulator.model().toString()))
                .orTimeout(10, TimeUnit.SECONDS)
                .join()).isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessage("rkllm_init failed unexpectedly (see the service log)")
                .hasCause(fault);
            assertThat(runtime.status().state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);

            runtime.init(ModelParams.forModel(Simulator.model().toString())).orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(runtime.status().ready()).isTrue();
            assertThat(Simulator.runToEnd(runtime, "back").finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @Test
    void initWhoseChecksThrowFailsTheCallAndKeepsTheLoadedModel() {
        FaultyLibrary library = new FaultyLibrary();
        try (RkllmRuntime runtime = library.open()) {
            OutOfMemoryError fault = new OutOfMemoryError("injected");
            library.failNext("rkllm_createDefaultParam", fault);

            assertThatThrownBy(() -> runtime.init(ModelParams.forModel(Simulator.model().toString()))
                .orTimeout(10, TimeUnit.SECONDS)
                .join()).isInstanceOf(CompletionException.class).cause().isSameAs(fault);
            assertThat(runtime.status().ready()).isTrue();
            assertThat(Simulator.runToEnd(runtime, "still here").finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @ParameterizedTest
    @MethodSource("faults")
    void runWhoseCallThrowsFailsItsResultAndTheNextRunGoesAhead(Throwable fault) {
        FaultyLibrary library = new FaultyLibrary();
        try (RkllmRuntime runtime = library.open()) {
            library.failNext("rkllm_run", fault);
            NativeRun failed = runtime.submit(RunRequest.prompt("lost" + Simulator.FAST), new CollectingListener());
            NativeRun next = runtime.submit(RunRequest.prompt("next" + Simulator.FAST), new CollectingListener());

            assertThatThrownBy(() -> failed.result().orTimeout(10, TimeUnit.SECONDS).join())
                .isInstanceOf(CompletionException.class)
                .hasCause(fault);
            assertThat(next.result().orTimeout(10, TimeUnit.SECONDS).join().finishReason())
                .isEqualTo(FinishReason.STOP);
            assertThat(failed.abort()).as("the failed run is over, not still running").isFalse();
            assertThat(runtime.isRunning()).isFalse();
        }
    }

}
