package io.rkllm.gateway.nativebridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

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
        assertThat(AbiSelector.select("1.2", library(banner("1.2.2")))).isEqualTo(AbiGeneration.V1_2);
    }

    @Test
    void autoWithoutBannerIsRefusedAskingForRkllmAbi() throws IOException {
        Path noBanner = library("rkllm-runtime version: %s, rknpu driver version: %s, platform: %s");

        assertThatThrownBy(() -> AbiSelector.select("auto", noBanner))
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageContaining(noBanner.toString())
                .hasMessageContaining("carries no 'RKLLM SDK (version: X.Y.Z' build banner")
                .hasMessageContaining("set rkllm.abi to 1.2 or 1.3");
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void explicitChoiceWithoutBannerIsTrusted(AbiGeneration abi) throws IOException {
        assertThat(AbiSelector.select(abi.label(), library("no version in here"))).isEqualTo(abi);
    }

    @ParameterizedTest
    @CsvSource({ "1.2.3b1, V1_2", "1.3.1, V1_3", "1.3.12rc3, V1_3" })
    void autoPicksTheGenerationOfLaterAndSuffixedVersions(String version, AbiGeneration abi) throws IOException {
        assertThat(AbiSelector.select("auto", library(banner(version)))).isEqualTo(abi);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "1.2.0 | its ABI is older than 1.2.1's", "1.1.4 | its ABI is older than 1.2.1's",
            "0.9.9 | its ABI is older than 1.2.1's", "2.0.0 | its ABI is newer than any this gateway speaks",
            "1.4.0 | its ABI is newer than any this gateway speaks",
            "1.2.1b1 | a pre-release may still have the ABI of the runtime before 1.2.1",
            "1.3.0rc1 | a pre-release may still have the ABI of the runtime before 1.3.0" })
    void unsupportedRuntimeIsRefusedWithTheReasonWhateverTheSetting(String version, String reason)
            throws IOException {
        Path library = library(banner(version));
        for (String setting : new String[] { "auto", "1.2", "1.3" }) {
            assertThatThrownBy(() -> AbiSelector.select(setting, library)).as("rkllm.abi=%s", setting)
                    .isInstanceOf(RuntimeUnavailableException.class)
                    .hasMessageContaining(library + " is runtime " + version + " ('" + banner(version) + "')")
                    .hasMessageContaining("is not supported: " + reason)
                    .hasMessageEndingWith("; use runtime 1.2.1-1.2.x or 1.3.x");
        }
    }

    @Test
    void unreadableLibraryIsRefusedWithTheReason() {
        Path missing = this.dir.resolve("missing.so");

        assertThatThrownBy(() -> AbiSelector.select("auto", missing))
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageContaining("cannot read " + missing);
    }

    private static String banner(String version) {
        return "RKLLM SDK (version: " + version + " | target: Linux | build: f8ca3ae8 2025-04-08)";
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
