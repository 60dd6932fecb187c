package io.rkllm.gateway.nativebridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.rkllm.gateway.Command;
import io.rkllm.gateway.nativebridge.RuntimeStatus.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator carries what Rockchip's files carry (a build banner, the init log only as a format string), and
 * simulator builds with other banners are detected or refused through the real loading code, as a board's would be.
 */
class SimulatorBannerTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void libraryCarriesTheBannerAndTheInitLogOnlyAsAFormatString(AbiGeneration abi) throws IOException {
        String bytes = new String(Files.readAllBytes(Simulator.library(abi)), StandardCharsets.ISO_8859_1);

        assertThat(bytes).contains("RKLLM SDK (version: " + (abi == AbiGeneration.V1_2 ? "1.2.3" : "1.3.0")
                + " | target: Linux | build: simulator)\0")
            .contains("rkllm-runtime version: %s, rknpu driver version: %s, platform: %s")
            .doesNotContainPattern("rkllm-runtime version: \\d");
    }

    @Test
    void initLogsTheRuntimeLineAsTheRuntimeDoes() throws IOException {
        Path program = Path.of(System.getProperty("rkllm.sim.dir", "target/native"), "bench_floor");

        Command.Result result = Command.run(Path.of("."), Map.of(), Duration.ofSeconds(30),
                List.of(program.toString(), Simulator.model().toString(), "1"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().lines().findFirst()).get()
            .asString()
            .matches("I rkllm: rkllm-runtime version: 1\\.3\\.0, rknpu driver version: none \\(simulator\\), "
                    + "platform: \\w+-sim");
    }

    @Test
    void autoPicksTheAbiOfALaterRelease() throws IOException {
        RuntimeStatus status = open(build("1.3.1", AbiGeneration.V1_3), "auto");

        assertThat(status.state()).as(status.reason()).isEqualTo(State.READY);
        assertThat(status.abi()).isEqualTo("1.3");
        assertThat(status.version()).isEqualTo("1.3.1");
    }

    @Test
    void autoPicksTheAbiOfASuffixedVersionAndReportsItAsSpelled() throws IOException {
        RuntimeStatus status = open(build("1.2.2b1", AbiGeneration.V1_2), "auto");

        assertThat(status.state()).as(status.reason()).isEqualTo(State.READY);
        assertThat(status.abi()).isEqualTo("1.2");
        assertThat(status.version()).isEqualTo("1.2.2b1");
    }

    @Test
    void libraryWithoutBannerIsRefusedByAutoAndTrustedWhenNamed() throws IOException {
        Path library = build("none", AbiGeneration.V1_3);

        RuntimeStatus auto = open(library, "auto");
        RuntimeStatus named = open(library, "1.3");

        assertThat(auto.state()).isEqualTo(State.UNAVAILABLE);
        assertThat(auto.reason()).contains("carries no 'RKLLM SDK (version: X.Y.Z' build banner")
            .contains("set rkllm.abi to 1.2 or 1.3");
        assertThat(named.state()).as(named.reason()).isEqualTo(State.READY);
        assertThat(named.version()).isNull();
    }

    @Test
    void runtime120IsRefusedAsOlder() throws IOException {
        RuntimeStatus status = open(build("1.2.0", AbiGeneration.V1_2), "auto");

        assertThat(status.state()).isEqualTo(State.UNAVAILABLE);
        assertThat(status.reason()).contains("is runtime 1.2.0", "its ABI is older than 1.2.1's");
    }

    @Test
    void prereleaseThatOpensAGenerationIsRefused() throws IOException {
        RuntimeStatus status = open(build("1.2.1b1", AbiGeneration.V1_2), "1.2");

        assertThat(status.state()).isEqualTo(State.UNAVAILABLE);
        assertThat(status.reason()).contains("is runtime 1.2.1b1", "pre-release");
    }

    @Test
    void unknownMajorIsRefusedEvenWhenAnAbiIsNamed() throws IOException {
        RuntimeStatus status = open(build("2.0.0", AbiGeneration.V1_3), "1.3");

        assertThat(status.state()).isEqualTo(State.UNAVAILABLE);
        assertThat(status.reason()).contains("is runtime 2.0.0", "newer than any this gateway speaks");
    }

    /** Builds the simulator of {@code abi} with {@code version} in its banner ({@code none}: no banner). */
    private Path build(String version, AbiGeneration abi) throws IOException {
        Path library = this.dir.resolve(version).resolve(abi.label()).resolve("librkllmrt.so");
        Command.Result result = Command.run(Path.of("native-libs/rkllm-sim"), Map.of(), Duration.ofSeconds(120),
                List.of("make", "--no-print-directory", "OUT=" + this.dir.resolve(version), "SIM_VERSION=" + version,
                        library.toString()));
        assertThat(result.exitCode()).as(result.output()).isZero();
        return library;
    }

    private static RuntimeStatus open(Path library, String abi) {
        try (RkllmRuntime runtime = RkllmRuntime.open(library, abi, ModelParams.forModel(Simulator.model().toString()),
                CallbackObserver.NONE)) {
            return runtime.initialization().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

}
