package io.rkllm.gateway.nativebridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link AbiSelector} picks the ABI the library's banner names and refuses to guess or to contradict it. */
class AbiSelectorTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void autoPicksTheGenerationTheBannerNames(AbiGeneration abi) {
        assertThat(AbiSelector.select("auto", Simulator.library(abi))).isEqualTo(abi);
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void explicitChoiceThatTheBannerConfirmsIsAccepted(AbiGeneration abi) {
        assertThat(AbiSelector.select(abi.label(), Simulator.library(abi))).isEqualTo(abi);
    }

    @Test
    void explicit12ForA130LibraryIsRefusedNamingBoth() {
        assertThatThrownBy(() -> AbiSelector.select("1.2", Simulator.library(AbiGeneration.V1_3)))
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageContaining("rkllm.abi is 1.2")
                .hasMessageContaining("runtime 1.3.0")
                .hasMessageContaining("crash");
    }

    @Test
    void explicit13ForA123LibraryIsRefusedNamingBoth() {
        assertThatThrownBy(() -> AbiSelector.select("1.3", Simulator.library(AbiGeneration.V1_2)))
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageContaining("rkllm.abi is 1.3")
                .hasMessageContaining("runtime 1.2.3");
    }

    @Test
    void explicit12ForA122BannerIsAccepted() throws IOException {
        assertThat(AbiSelector.select("1.2", library("rkllm-runtime version: 1.2.2"))).isEqualTo(AbiGeneration.V1_2);
    }

    @Test
    void autoWithoutBannerIsRefusedAskingForRkllmAbi() throws IOException {
        Path noBanner = library("librkllmrt.so built without a version string");

        assertThatThrownBy(() -> AbiSelector.select("auto", noBanner))
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageContaining(noBanner.toString())
                .hasMessageContaining("carries no 'rkllm-runtime version: X.Y.Z' string")
                .hasMessageContaining("set rkllm.abi to 1.2 or 1.3");
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void explicitChoiceWithoutBannerIsTrusted(AbiGeneration abi) throws IOException {
        assertThat(AbiSelector.select(abi.label(), library("no version in here"))).isEqualTo(abi);
    }

    @ParameterizedTest
    @ValueSource(strings = { "1.2.0", "1.1.4", "1.0.1", "2.0.0" })
    void unsupportedRuntimeIsRefusedWhateverTheSetting(String version) throws IOException {
        Path library = library("rkllm-runtime version: " + version + ", platform: RK3588");
        for (String setting : new String[] { "auto", "1.2", "1.3" }) {
            assertThatThrownBy(() -> AbiSelector.select(setting, library)).as("rkllm.abi=%s", setting)
                    .isInstanceOf(RuntimeUnavailableException.class)
                    .hasMessageContaining("runtime " + version)
                    .hasMessageContaining("is not supported")
                    .hasMessageContaining("1.2.1-1.2.3 or 1.3.x");
        }
    }

    @Test
    void unreadableLibraryIsRefusedWithTheReason() {
        Path missing = this.dir.resolve("missing.so");

        assertThatThrownBy(() -> AbiSelector.select("auto", missing))
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageContaining("cannot read " + missing);
    }

    private Path library(String text) throws IOException {
        byte[] prefix = { 0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0 };
        byte[] body = (text + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] content = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(body, 0, content, prefix.length, body.length);
        return Files.write(Files.createTempFile(this.dir, "librkllmrt", ".so"), content);
    }

}
