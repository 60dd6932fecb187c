package io.rkllm.gateway.deploy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.rkllm.gateway.Command;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import io.rkllm.gateway.nativebridge.LibraryVersion;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/board-check.sh, run with bash against a fake RK3588 board laid out in a temporary directory (its /sys, /dev
 * and /proc, the library and the model), and with only the tools a stock board image has on its PATH.
 */
class BoardCheckTest {

    /** What the script may use besides the shell's builtins; {@code strings} only when binutils is installed. */
    private static final List<String> STOCK_TOOLS = List.of("cat", "grep", "head", "od", "readlink", "sed", "stat",
            "tr");

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private Path sys;

    private Path dev;

    private Path proc;

    private Path library;

    private Path model;

    /** An RK3588 as it should be: rknpu 0.9.8 (DRM build) beside the Mali GPU, two heaps, runtime 1.3.1. */
    @BeforeEach
    void goodBoard() throws IOException {
        this.sys = this.dir.resolve("sys");
        this.dev = this.dir.resolve("dev");
        this.proc = this.dir.resolve("proc");
        write(this.proc.resolve("device-tree/compatible"), "radxa,rock-5b\0rockchip,rk3588\0");
        write(this.sys.resolve("module/rknpu/version"), "0.9.8\n");
        drmNode("card0", "mali");
        drmNode("renderD128", "mali");
        drmNode("card1", "RKNPU");
        drmNode("renderD129", "RKNPU");
        write(this.sys.resolve("class/drm/card0-HDMI-A-1/status"), "connected\n");
        for (String node : List.of("dri/card0", "dri/renderD128", "dri/card1", "dri/renderD129", "dma_heap/system",
                "dma_heap/cma")) {
            deviceNode(node, "rw-rw----");
        }
        this.library = library("RKLLM SDK (version: 1.3.1 | target: Linux | build: 0a1b2c3d 2026-08-01 10:00:00)");
        this.model = sparse(this.dir.resolve("models/qwen.rkllm"), 1700 * MIB);
        memAvailable(6000 * MIB);
        for (String policy : List.of("policy0", "policy4", "policy6")) {
            write(this.sys.resolve("devices/system/cpu/cpufreq/" + policy + "/scaling_governor"), "userspace\n");
        }
        write(this.sys.resolve("class/devfreq/fdab0000.npu/governor"), "userspace\n");
        write(this.sys.resolve("class/devfreq/dmc/governor"), "performance\n");
    }

    @Test
    void goodBoardPassesEveryCheckAndPrintsWhatToDeployWith() throws IOException {
        Command.Result result = check(true);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).doesNotContainPattern("(?m)^(WARN|FAIL)")
            .containsPattern(verdict("INFO", "board", "rk3588"))
            .containsPattern(verdict("OK", "driver", "rknpu 0.9.8$"))
            .containsPattern(verdict("OK", "npu", this.dev + "/dri/renderD129 .*mode=660$"))
            .containsPattern(verdict("OK", "npu", this.dev + "/dri/card1 "))
            .doesNotContain("renderD128")
            .containsPattern(verdict("OK", "heap", this.dev + "/dma_heap/system "))
            .containsPattern(verdict("OK", "heap", this.dev + "/dma_heap/cma "))
            .containsPattern(verdict("INFO", "plugin", Pattern.quote("generic-device-plugin --device '{\"name\":"
                    + "\"rknpu\",\"groups\":[{\"paths\":[{\"path\":\"/dev/dri/renderD129\"},"
                    + "{\"path\":\"/dev/dri/card1\"},{\"path\":\"/dev/dma_heap/system\"},"
                    + "{\"path\":\"/dev/dma_heap/cma\"}]}]}'") + "$"))
            .containsPattern(verdict("OK", "library", "RKLLM SDK \\(version: 1.3.1 \\| target: Linux \\| build: "
                    + "0a1b2c3d 2026-08-01 10:00:00\\) -> ABI 1.3"))
            .containsPattern(verdict("OK", "memory", "6000 MiB available for the 1700 MiB model"))
            .containsPattern(verdict("OK", "clocks", "policy0=userspace policy4=userspace policy6=userspace "
                    + "dmc=performance fdab0000.npu=userspace$"))
            .endsWith("0 FAIL, 0 WARN\n");
    }

    /** The README runs it with {@code sh}, which is dash on Debian and Ubuntu boards. */
    @Test
    void posixShellGivesTheSameReportAsBash() throws IOException {
        assertThat(check(true, "sh")).isEqualTo(check(true, "bash"));

        write(this.sys.resolve("module/rknpu/version"), "0.9.6\n");
        deviceNode("dri/renderD129", "rw-------");
        Files.delete(this.dev.resolve("dma_heap/system"));
        this.library = library("RKLLM SDK (version: 1.2.1b1 | target: Linux)");
        memAvailable(100 * MIB);
        write(this.sys.resolve("class/devfreq/dmc/governor"), "dmc_ondemand\n");
        Command.Result bash = check(true, "bash");
        assertThat(bash.output()).endsWith("3 FAIL, 3 WARN\n");
        assertThat(check(true, "sh")).isEqualTo(bash);
    }

    @Test
    void withoutStringsTheBannerIsFoundAllTheSame() throws IOException {
        Command.Result result = check(false);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).containsPattern(verdict("OK", "library", "version: 1.3.1 .* -> ABI 1.3"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "0.8.2", "0.9.6" })
    void driverOlderThan097Fails(String version) throws IOException {
        write(this.sys.resolve("module/rknpu/version"), version + "\n");

        Command.Result result = check(true);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).containsPattern(verdict("FAIL", "driver", "rknpu " + version
                + " is older than 0.9.7"))
            .containsPattern(fix("a kernel with rknpu >= 0.9.7 \\(0.9.8 recommended\\)"))
            .endsWith("1 FAIL, 0 WARN\n");
    }

    @Test
    void driverVersionReadOnlyByRootIsAWarningThatSaysHowToReadIt() throws IOException {
        Files.delete(this.sys.resolve("module/rknpu/version"));

        Command.Result result = check(true);

        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).containsPattern(verdict("WARN", "driver", "version is unreadable"))
            .containsPattern(fix("sudo cat /sys/kernel/debug/rknpu/version"));
    }

    @Test
    void debugfsVersionIsReadWhenTheModuleHasNone() throws IOException {
        Files.delete(this.sys.resolve("module/rknpu/version"));
        write(this.sys.resolve("kernel/debug/rknpu/version"), "RKNPU driver: v0.9.7\n");

        assertThat(check(true).output())
            .containsPattern(verdict("OK", "driver", "rknpu 0.9.7 \\(0.9.8 recommended\\)"));
    }

    @Test
    void mainlineRocketDriverFails() throws IOException {
        deleteTree(this.sys.resolve("module/rknpu"));
        deleteTree(this.sys.resolve("class/drm/card1"));
        deleteTree(this.sys.resolve("class/drm/renderD129"));
        write(this.sys.resolve("module/rocket/refcnt"), "0\n");

        Command.Result result = check(true);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).containsPattern(verdict("FAIL", "driver", "mainline rocket"))
            .containsPattern(verdict("FAIL", "npu", "neither a DRM node of the RKNPU driver"));
    }

    @Test
    void miscDeviceBuildIsChecked() throws IOException {
        deleteTree(this.sys.resolve("class/drm/card1"));
        deleteTree(this.sys.resolve("class/drm/renderD129"));
        deviceNode("rknpu", "rw-rw----");

        Command.Result result = check(true);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).containsPattern(verdict("OK", "npu", this.dev + "/rknpu "))
            .doesNotContain("renderD129");
    }

    @Test
    void rknpuLinkedToTheRenderNodeFails() throws IOException {
        Files.createSymbolicLink(this.dev.resolve("rknpu"), this.dev.resolve("dri/renderD129"));

        Command.Result result = check(true);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).containsPattern(verdict("FAIL", "npu", "is a symbolic link.*hw_version = -1"));
    }

    @Test
    void nodeTheDriverRegisteredButTheContainerLacksFails() throws IOException {
        Files.delete(this.dev.resolve("dri/renderD129"));

        Command.Result result = check(true);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).containsPattern(verdict("FAIL", "npu", "renderD129 is missing"))
            .containsPattern(fix("in a container, pass the host's"));
    }

    @Test
    void nodeOnlyRootCanOpenIsAWarningWithTheUdevRule() throws IOException {
        deviceNode("dri/renderD129", "rw-------");

        Command.Result result = check(true);

        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).containsPattern(verdict("WARN", "npu", "renderD129 .*mode=600: only its owner"))
            .containsPattern(fix("a udev rule"));
    }

    @Test
    void missingSystemHeapIsAWarningAndTheOthersAreStillListed() throws IOException {
        Files.delete(this.dev.resolve("dma_heap/system"));

        Command.Result result = check(true);

        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).containsPattern(verdict("WARN", "heap", "no " + this.dev + "/dma_heap/system"))
            .containsPattern(verdict("OK", "heap", "/dma_heap/cma "))
            .containsPattern(verdict("INFO", "plugin", Pattern.quote("{\"path\":\"/dev/dma_heap/cma\"}]}]}'") + "$"));
    }

    @Test
    void libraryWithoutBannerIsAWarningThatSaysToSetTheAbi() throws IOException {
        this.library = library("rkllm-runtime version: %s, rknpu driver version: %s, platform: %s");

        Command.Result result = check(true);

        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).containsPattern(verdict("WARN", "library", "carries no 'RKLLM SDK \\(version: "
                + "X.Y.Z' banner: rkllm.abi: auto will refuse it"))
            .containsPattern(fix(".*set rkllm.abi to 1.2 or 1.3"));
    }

    @Test
    void missingOrForeignLibraryFails() throws IOException {
        Files.write(this.library, new byte[] { 0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3E,
            0 });
        assertThat(check(true).output()).containsPattern(verdict("FAIL", "library", "is not an aarch64 library"));

        Files.delete(this.library);
        assertThat(check(true).output()).containsPattern(verdict("FAIL", "library", "no " + this.library + "$"));
    }

    /** The script and rkllm.abi: auto agree on every version: the script maps them as AbiGeneration does. */
    @ParameterizedTest
    @ValueSource(strings = { "1.2.1", "1.2.3", "1.2.9", "1.3.0", "1.3.1", "1.3.12", "1.2.2b1", "1.3.1rc2", "1.2.1b1",
            "1.3.0b1", "1.2.0", "1.1.4", "1.0.1", "0.9.9", "1.4.0", "2.0.0" })
    void versionGetsTheAbiThatTheGatewayPicks(String version) throws IOException {
        this.library = library("RKLLM SDK (version: " + version + " | target: Linux | build: simulator)");
        Optional<LibraryVersion> read = LibraryVersion.readFrom(this.library);
        assertThat(read).map(LibraryVersion::toString).contains(version);
        Optional<AbiGeneration> abi = read.flatMap(AbiGeneration::of);

        Command.Result result = check(true);

        if (abi.isPresent()) {
            assertThat(result.output()).containsPattern(verdict("OK", "library", "version: " + Pattern.quote(version)
                    + " .* -> ABI " + abi.get().label() + " \\(rkllm.abi: auto picks it\\)$"));
        }
        else {
            assertThat(result.output()).containsPattern(verdict("FAIL", "library", "runtime " + Pattern.quote(version)
                    + " is not supported"));
        }
    }

    @Test
    void tooLittleMemoryForTheModelFails() throws IOException {
        memAvailable(1800 * MIB);

        Command.Result result = check(true);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).containsPattern(verdict("FAIL", "memory", "1800 MiB available; the 1700 MiB "
                + "model and the JVM need about 2212 MiB"));
    }

    @Test
    void missingModelFailsAndNoModelIsAWarning() throws IOException {
        Files.delete(this.model);
        assertThat(check(true).output()).containsPattern(verdict("FAIL", "memory", "no model file " + this.model));

        this.model = null;
        Command.Result result = check(true);
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).containsPattern(verdict("WARN", "memory", "6000 MiB available; no model given"));
    }

    @Test
    void unpinnedClocksAreAWarningWithRockchipsScriptRunBySh() throws IOException {
        write(this.sys.resolve("devices/system/cpu/cpufreq/policy4/scaling_governor"), "schedutil\n");
        write(this.sys.resolve("class/devfreq/dmc/governor"), "dmc_ondemand\n");

        Command.Result result = check(true);

        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).containsPattern(verdict("WARN", "clocks", "policy4=schedutil .*dmc=dmc_ondemand"))
            .containsPattern(fix("on the host at boot: sudo sh fix_freq_rk3588.sh"));
    }

    private Command.Result check(boolean withStrings) throws IOException {
        return check(withStrings, "bash");
    }

    /** Runs the script on the fake board with {@code shell}, with {@code strings} on the PATH or not. */
    private Command.Result check(boolean withStrings, String shell) throws IOException {
        Path bin = Files.createDirectories(this.dir.resolve(withStrings ? "bin-strings" : "bin"));
        for (String tool : withStrings ? concat(STOCK_TOOLS, "strings") : STOCK_TOOLS) {
            Path link = bin.resolve(tool);
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, which(tool));
            }
        }
        Map<String, String> environment = new HashMap<>(Map.of("PATH", bin.toString(), "BOARD_SYS",
                this.sys.toString(), "BOARD_DEV", this.dev.toString(), "BOARD_PROC", this.proc.toString(), "RKLLM_LIB",
                this.library.toString()));
        if (this.model != null) {
            environment.put("RKLLM_MODELS", this.model.getParent().toString());
            environment.put("RKLLM_MODEL", this.model.getFileName().toString());
        }
        Command.Result result = Command.run(Deploy.ROOT, environment, Duration.ofSeconds(30),
                List.of(which(shell).toString(), "docker/board-check.sh"));
        assertThat(result.output()).as("a tool outside the stock set").doesNotContain("not found");
        return result;
    }

    /** A line of the script's report: its level, topic and text. */
    private static Pattern verdict(String level, String topic, String text) {
        return Pattern.compile("(?m)^" + level + " +" + topic + " +.*" + text);
    }

    /** The fix line under a verdict. */
    private static Pattern fix(String text) {
        return Pattern.compile("(?m)^ {16}fix: " + text);
    }

    private void drmNode(String name, String driver) throws IOException {
        Path device = Files.createDirectories(this.sys.resolve("class/drm/" + name + "/device"));
        Files.createSymbolicLink(device.resolve("driver"), Path.of("../../../bus/platform/drivers/" + driver));
    }

    private void deviceNode(String name, String permissions) throws IOException {
        Path node = this.dev.resolve(name);
        Files.createDirectories(node.getParent());
        Files.deleteIfExists(node);
        // Set after creation: the umask would take the group's write bit from a creation attribute.
        Files.setPosixFilePermissions(Files.createFile(node), PosixFilePermissions.fromString(permissions));
    }

    /** An aarch64 ELF file with binary noise and {@code text} in it, as Rockchip's library carries its banner. */
    private Path library(String text) throws IOException {
        byte[] header = { 0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, (byte) 0xB7, 0 };
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        Path file = this.dir.resolve("lib/librkllmrt.so");
        Files.createDirectories(file.getParent());
        Files.write(file, header);
        Files.write(file, noise, StandardOpenOption.APPEND);
        Files.write(file, ("\0" + text + "\0").getBytes(StandardCharsets.US_ASCII),
                StandardOpenOption.APPEND);
        Files.write(file, noise, StandardOpenOption.APPEND);
        return file;
    }

    private void memAvailable(long bytes) throws IOException {
        write(this.proc.resolve("meminfo"), "MemTotal:       16000000 kB\nMemFree:         1000000 kB\n"
                + "MemAvailable:   " + (bytes / 1024) + " kB\nBuffers:          100000 kB\n");
    }

    private static Path sparse(Path file, long size) throws IOException {
        Files.createDirectories(file.getParent());
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.ISO_8859_1);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static Path which(String tool) {
        for (String entry : System.getenv("PATH").split(":")) {
            Path candidate = Path.of(entry, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(tool + " is not on this machine's PATH");
    }

    private static List<String> concat(List<String> tools, String tool) {
        return Stream.concat(tools.stream(), Stream.of(tool)).toList();
    }

}
