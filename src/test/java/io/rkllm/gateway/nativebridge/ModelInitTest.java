package io.rkllm.gateway.nativebridge;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code rkllm_init} that fails, at start-up and on a loaded runtime: what the caller, the status and runs see. */
class ModelInitTest {

    private static RunResult runToEnd(RkllmRuntime runtime, String prompt) {
        return runtime.submit(RunRequest.prompt(prompt + Simulator.FAST), new CollectingListener())
            .result()
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
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
            assertThat(runToEnd(runtime, "still here").finishReason()).isEqualTo(FinishReason.STOP);
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
            assertThat(runToEnd(runtime, "still here").finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

}
