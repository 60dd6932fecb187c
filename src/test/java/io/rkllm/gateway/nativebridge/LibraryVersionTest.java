package io.rkllm.gateway.nativebridge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LibraryVersion#readFrom} finds the build banner in a library file, and only a real one. */
class LibraryVersionTest {

    private static final String BANNER_122 = "RKLLM SDK (version: 1.2.2 | target: Linux | build: 1a2b3c4d 2025-09-30)";

    @TempDir
    Path dir;

    @Test
    void simulatorOf13CarriesRuntime130() throws IOException {
        LibraryVersion version = LibraryVersion.readFrom(Simulator.library(AbiGeneration.V1_3)).orElseThrow();

        assertThat(version.toString()).isEqualTo("1.3.0");
        assertThat(version.banner()).isEqualTo("RKLLM SDK (version: 1.3.0 | target: Linux | build: simulator)");
        assertThat(AbiGeneration.of(version)).contains(AbiGeneration.V1_3);
    }

    @Test
    void simulatorOf12CarriesRuntime123() throws IOException {
        LibraryVersion version = LibraryVersion.readFrom(Simulator.library(AbiGeneration.V1_2)).orElseThrow();

        assertThat(version).extracting(LibraryVersion::major, LibraryVersion::minor, LibraryVersion::patch,
                LibraryVersion::suffix)
            .containsExactly(1, 2, 3, "");
        assertThat(version.banner()).isEqualTo("RKLLM SDK (version: 1.2.3 | target: Linux | build: simulator)");
        assertThat(AbiGeneration.of(version)).contains(AbiGeneration.V1_2);
    }

    /** Rockchip's files carry the init log line only as a format string: no version is read from it. */
    @Test
    void initLogFormatStringIsNoVersion() throws IOException {
        Path library = write(junk(1, 4096),
                ascii("rkllm-runtime version: %s, rknpu driver version: %s, platform: %s\0"), junk(2, 1000),
                ascii("rkllm-runtime version: 1.2.2\0"), junk(3, 500));

        assertThat(LibraryVersion.readFrom(library)).isEmpty();
    }

    @Test
    void bannerIsReadWithTheFormatStringBeforeIt() throws IOException {
        Path library = write(junk(1, 4096),
                ascii("rkllm-runtime version: %s, rknpu driver version: %s, platform: %s\0"), junk(2, 1000),
                ascii(BANNER_122 + "\0"), junk(3, 500));

        Optional<LibraryVersion> version = LibraryVersion.readFrom(library);

        assertThat(version).map(LibraryVersion::toString).contains("1.2.2");
        assertThat(version).map(LibraryVersion::banner).contains(BANNER_122);
    }

    @ParameterizedTest
    @CsvSource({ "1.2.1b1, 1, 2, 1, b1", "1.3.1, 1, 3, 1, ''", "1.2.0, 1, 2, 0, ''", "2.0.0rc2, 2, 0, 0, rc2",
            "10.20.30-beta.1, 10, 20, 30, -beta.1" })
    void suffixedAndLaterVersionsAreReadAsTheBannerSpellsThem(String text, int major, int minor, int patch,
            String suffix) throws IOException {
        Path library = write(junk(4, 300), ascii("RKLLM SDK (version: " + text + " | target: Linux | build: x)\0"));

        LibraryVersion version = LibraryVersion.readFrom(library).orElseThrow();

        assertThat(version).extracting(LibraryVersion::major, LibraryVersion::minor, LibraryVersion::patch,
                LibraryVersion::suffix)
            .containsExactly(major, minor, patch, suffix);
        assertThat(version.toString()).isEqualTo(text);
    }

    @Test
    void firstBannerWins() throws IOException {
        Path library = write(ascii("RKLLM SDK (version: 1.3.0 | target: Linux)\0"), junk(4, 100), ascii(BANNER_122));

        assertThat(LibraryVersion.readFrom(library)).map(LibraryVersion::toString).contains("1.3.0");
    }

    @Test
    void bannerWithoutANumberIsSkippedForTheNextOne() throws IOException {
        Path library = write(ascii("RKLLM SDK (version: %s | target: %s)\0"), junk(4, 100), ascii(BANNER_122));

        assertThat(LibraryVersion.readFrom(library)).map(LibraryVersion::toString).contains("1.2.2");
    }

    @Test
    void fileWithoutBannerCarriesNoVersion() throws IOException {
        Path library = write(junk(5, 64 * 1024), ascii("librkllmrt.so 1.3.0 RKLLM SDK version 1.3.0\0"));

        assertThat(LibraryVersion.readFrom(library)).isEmpty();
        assertThat(LibraryVersion.readFrom(Path.of(System.getProperty("java.home"), "lib", "libjava.so"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "RKLLM SDK (version: ", "RKLLM SDK (version: 1.3", "RKLLM SDK (version: 1.3.0",
            "RKLLM SDK (version: 1.3.0b", "RKLLM SDK (version: 1.3.0\0| target: Linux)" })
    void bannerCutOffBeforeItsVersionEndsCarriesNoVersion(String text) throws IOException {
        assertThat(LibraryVersion.readFrom(write(junk(6, 100), ascii(text)))).isEmpty();
    }

    @Test
    void bannerThatNeverClosesEndsAtAControlCharacter() throws IOException {
        Path library = write(junk(7, 100), ascii("RKLLM SDK (version: 1.2.3 | target: Linux\nnext line\0"));

        assertThat(LibraryVersion.readFrom(library)).map(LibraryVersion::banner)
            .contains("RKLLM SDK (version: 1.2.3 | target: Linux");
    }

    /** The file is read in 64 KiB windows: a banner or its tail across a window's end is found all the same. */
    @ParameterizedTest
    @ValueSource(ints = { 65_536 - 200, 65_536 - 181, 65_536 - 180, 65_536 - 179, 65_536 - 100, 65_536 - 21,
            65_536 - 20, 65_536 - 19, 65_536 - 1, 65_536, 65_536 + 1, 3 * 65_536 - 50, 5_000_000 })
    void bannerAcrossTheEndOfAReadWindowIsFound(int offset) throws IOException {
        Path library = write(junk(8, offset), ascii(BANNER_122 + "\0"), junk(9, 1000));

        assertThat(LibraryVersion.readFrom(library)).map(LibraryVersion::banner).contains(BANNER_122);
    }

    @Test
    void emptyFileCarriesNoVersion() throws IOException {
        assertThat(LibraryVersion.readFrom(write())).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({ "1.2.1, V1_2", "1.2.2, V1_2", "1.2.3, V1_2", "1.2.9, V1_2", "1.3.0, V1_3", "1.3.1, V1_3",
            "1.2.2b1, V1_2", "1.3.1b1, V1_3", "1.2.1b1, ", "1.3.0rc1, ", "1.2.0, ", "1.1.4, ", "1.0.1, ", "2.0.0, ",
            "1.4.0, ", "0.3.0, " })
    void versionMapsToTheAbiGenerationThatSpeaksIt(String version, AbiGeneration expected) {
        Matcher parts = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)(.*)").matcher(version);
        assertThat(parts.matches()).isTrue();
        LibraryVersion parsed = new LibraryVersion(Integer.parseInt(parts.group(1)), Integer.parseInt(parts.group(2)),
                Integer.parseInt(parts.group(3)), parts.group(4), "RKLLM SDK (version: " + version + ")");

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
            if (bytes[i] == 'R') {
                bytes[i] = 0;
            }
        }
        return bytes;
    }

}
