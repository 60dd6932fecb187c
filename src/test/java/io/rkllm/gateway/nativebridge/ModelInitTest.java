package io.rkllm.gateway.nativebridge;

import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code rkllm_init} that fails, at start-up and on a loaded runtime: what the caller, the status and runs see. */
class ModelInitTest {

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void nullHandleAfterSuccessAtStartUpLeavesTheRuntimeUnavailable(AbiGeneration abi, @TempDir Path dir) {
        long allocationsBefore = Simulator.liveAllocations(abi);
        ModelParams params = ModelParams.forModel(Simulator.modelWith(dir, "null_handle=1").toString());
        try (RkllmRuntime runtime = Simulator.open(abi, params)) {
            assertThat(runtime.status().state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
            assertThat(runtime.status().reason()).contains("rkllm_init returned no model handle")
                .contains("NPU memory");
            assertThat(runtime.activeParams()).isNull();
            assertThatThrownBy(() -> runtime.submit(RunRequest.prompt("x"), new CollectingListener()))
                .isInstanceOf(RuntimeUnavailableException.class);
            assertThat(runtime.isRunning()).isFalse();
        }
        assertThat(Simulator.liveAllocations(abi)).isEqualTo(allocationsBefore);
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void nullHandleAfterSuccessOnInitFailsTheCallAsUnavailable(AbiGeneration abi, @TempDir Path dir) {
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            ModelParams params = ModelParams.forModel(Simulator.modelWith(dir, "null_handle=1").toString());

            assertThatThrownBy(() -> runtime.init(params).orTimeout(10, TimeUnit.SECONDS).join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageContaining("rkllm_init returned no model handle")
                .hasMessageNotContaining(dir.toString());
            assertThat(runtime.status().state()).isEqualTo(RuntimeStatus.State.UNAVAILABLE);
            assertThatThrownBy(() -> runtime.submit(RunRequest.prompt("x"), new CollectingListener()))
                .isInstanceOf(RuntimeUnavailableException.class);

            runtime.init(ModelParams.forModel(Simulator.model().toString())).orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(Simulator.runToEnd(runtime, "back").finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void initWithAMissingModelFileKeepsTheLoadedModelServing(AbiGeneration abi) {
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            ModelParams loaded = runtime.activeParams();

            assertThatThrownBy(() -> runtime.init(ModelParams.forModel("/nonexistent/model.rkllm"))
                .orTimeout(10, TimeUnit.SECONDS)
                .join()).cause().isInstanceOf(InvalidParameterException.class).hasMessageStartingWith("model_path: ");

            assertThat(runtime.status().ready()).isTrue();
            assertThat(runtime.status().reason()).isNull();
            assertThat(runtime.activeParams()).isEqualTo(loaded);
            assertThat(Simulator.runToEnd(runtime, "still here").finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void initWithABadParameterKeepsTheLoadedModelServing(AbiGeneration abi) {
        String model = Simulator.model().toString();
        ModelParams outOfRange = new ModelParams(model, 0, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
        // A field the loaded generation's RKLLMParam lacks is found only when the struct is filled.
        ModelParams unsupported = (abi == AbiGeneration.V1_2)
                ? new ModelParams(model, null, null, null, null, null, null, null, null, null, null, null, null, null,
                        true, null, null, null, null, null, null, null, null, null)
                : new ModelParams(model, null, null, null, null, null, null, null, null, null, null, null, null, null,
                        null, "<img>", null, null, null, null, null, null, null, null);
        try (RkllmRuntime runtime = Simulator.open(abi)) {
            assertThatThrownBy(() -> runtime.init(outOfRange).orTimeout(10, TimeUnit.SECONDS).join()).cause()
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageStartingWith("max_context_len: ");
            assertThatThrownBy(() -> runtime.init(unsupported).orTimeout(10, TimeUnit.SECONDS).join()).cause()
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("is not supported by runtime");

            assertThat(runtime.status().ready()).isTrue();
            assertThat(Simulator.runToEnd(runtime, "still here").finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

}
