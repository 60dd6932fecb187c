package io.rkllm.gateway.nativebridge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LibraryVersion#readFrom} finds the runtime's version banner in a library file, and only a real one. */
class LibraryVersionTest {

    @TempDir
    Path dir;

    @Test
    void simulatorOf13CarriesRuntime130() throws IOException {
        LibraryVersion version = LibraryVersion.readFrom(Simulator.library(AbiGeneration.V1_3)).orElseThrow();

        assertThat(version.toString()).isEqualTo("1.3.0");
        assertThat(version.banner()).startsWith("rkllm-runtime version: 1.3.0 (simulator)");
        assertThat(AbiGeneration.of(version)).contains(AbiGeneration.V1_3);
    }

    @Test
    void simulatorOf12CarriesRuntime123() throws IOException {
        LibraryVersion version = LibraryVersion.readFrom(Simulator.library(AbiGeneration.V1_2)).orElseThrow();

        assertThat(version).extracting(LibraryVersion::major, LibraryVersion::minor, LibraryVersion::patch)
                .containsExactly(1, 2, 3);
        assertThat(version.banner()).startsWith("rkllm-runtime version: 1.2.3 (simulator)");
        assertThat(AbiGeneration.of(version)).contains(AbiGeneration.V1_2);
    }

    @Test
    void formatStringBannerIsSkippedForTheLiteralVersionAfterIt() throws IOException {
        Path library = write(junk(1, 4096), ascii("rkllm-runtime version: %s\0"), junk(2, 1000),
                ascii("rkllm-runtime version: 1.2.2\0"), junk(3, 500));

        Optional<LibraryVersion> version = LibraryVersion.readFrom(library);

        assertThat(version).map(LibraryVersion::toString).contains("1.2.2");
        assertThat(version).map(LibraryVersion::banner).contains("rkllm-runtime version: 1.2.2");
    }

    @Test
    void firstLiteralVersionWins() throws IOException {
        Path library = write(ascii("rkllm-runtime version: 1.3.0\0"), junk(4, 100),
                ascii("rkllm-runtime version: 1.2.3\0"));

        assertThat(LibraryVersion.readFrom(library)).map(LibraryVersion::toString).contains("1.3.0");
    }

    @Test
    void fileWithoutBannerCarriesNoVersion() throws IOException {
        Path library = write(junk(5, 64 * 1024), ascii("librkllmrt.so 1.3.0 rkllm-runtime\0"));

        assertThat(LibraryVersion.readFrom(library)).isEmpty();
        assertThat(LibraryVersion.readFrom(Path.of(System.getProperty("java.home"), "lib", "libjava.so"))).isEmpty();
    }

    @Test
    void bannerCutOffAtTheEndOfTheFileCarriesNoVersion() throws IOException {
        assertThat(LibraryVersion.readFrom(write(junk(6, 100), ascii("rkllm-runtime version: ")))).isEmpty();
        assertThat(LibraryVersion.readFrom(write(junk(7, 100), ascii("rkllm-runtime version: 1.3")))).isEmpty();
    }

    /** The file is read in 64 KiB windows: a banner or its tail across a window's end is found all the same. */
    @ParameterizedTest
    @ValueSource(ints = { 65_536 - 80, 65_536 - 71, 65_536 - 70, 65_536 - 40, 65_536 - 23, 65_536 - 22, 65_536 - 1,
            65_536, 65_536 + 1, 3 * 65_536 - 50, 5_000_000 })
    void bannerAcrossTheEndOfAReadWindowIsFound(int offset) throws IOException {
        Path library = write(junk(8, offset), ascii("rkllm-runtime version: 1.2.3 (across a window)\0"),
                junk(9, 1000));

        assertThat(LibraryVersion.readFrom(library)).map(LibraryVersion::banner)
            .contains("rkllm-runtime version: 1.2.3 (across a window)");
    }

    @Test
    void emptyFileCarriesNoVersion() throws IOException {
        assertThat(LibraryVersion.readFrom(write())).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({ "1.2.1, V1_2", "1.2.2, V1_2", "1.2.3, V1_2", "1.3.0, V1_3", "1.3.1, V1_3", "1.2.0, ", "1.1.4, ",
            "1.0.1, ", "2.0.0, ", "1.4.0, ", "0.3.0, " })
    void versionMapsToTheAbiGenerationThatSpeaksIt(String version, AbiGeneration expected) {
        String[] parts = version.split("\\.");
        LibraryVersion parsed = new LibraryVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                Integer.parseInt(parts[2]), "rkllm-runtime version: " + version);

        assertThat(AbiGeneration.of(parsed)).isEqualTo(Optional.ofNullable(expected));
    }

    private Path write(byte[]... parts) throws IOException {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return Files.write(Files.createTempFile(this.dir, "librkllmrt", ".so"), content.toByteArray());
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Binary noise like a library's code, NUL bytes included, but never the banner's first letter. */
    private static byte[] junk(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        for (int i = 0; i < length; i++) {
            if (bytes[i] == 'r') {
                bytes[i] = 0;
            }
        }
        return bytes;
    }

}
