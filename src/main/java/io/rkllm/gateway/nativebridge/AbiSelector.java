package io.rkllm.gateway.nativebridge;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Chooses the ABI generation for a library file from {@code rkllm.abi}. A wrong choice is a crash on the first call,
 * so it refuses to guess: {@code auto} needs the build banner in the file, an explicit choice that the banner
 * contradicts is refused too, and so is a version whose ABI is not known.
 */
final class AbiSelector {

    private AbiSelector() {
    }

    static AbiGeneration select(String setting, Path library) {
        return select(setting, library, versionOf(library));
    }

    /** Chooses from the version already read from the library file ({@link #versionOf}). */
    static AbiGeneration select(String setting, Path library, Optional<LibraryVersion> version) {
        Optional<AbiGeneration> carried = version.flatMap(AbiGeneration::of);
        if (version.isPresent() && carried.isEmpty()) {
            throw new RuntimeUnavailableException(library + " is runtime " + version.get() + " ('"
                    + version.get().banner() + "'), which is not supported: " + whyUnsupported(version.get())
                    + "; use runtime 1.2.1-1.2.x or 1.3.x");
        }
        if ("auto".equals(setting)) {
            return carried.orElseThrow(() -> new RuntimeUnavailableException(library
                    + " carries no 'RKLLM SDK (version: X.Y.Z' build banner; check the runtime's version (its init log"
                    + " says 'rkllm-runtime version: X.Y.Z') and set rkllm.abi to 1.2 or 1.3"));
        }
        AbiGeneration chosen = Arrays.stream(AbiGeneration.values())
            .filter((generation) -> generation.label().equals(setting))
            .findFirst()
            .orElseThrow(() -> new RuntimeUnavailableException(
                    "rkllm.abi must be auto, 1.2 or 1.3, got '" + setting + "'"));
        if (carried.isPresent() && carried.get() != chosen) {
            throw new RuntimeUnavailableException("rkllm.abi is " + setting + " but " + library + " is runtime "
                    + version.get() + "; calling it with the wrong ABI would crash the process");
        }
        return chosen;
    }

    private static String whyUnsupported(LibraryVersion version) {
        LibraryVersion release = new LibraryVersion(version.major(), version.minor(), version.patch(), "",
                version.banner());
        if (AbiGeneration.of(release).isPresent()) {
            return "a pre-release may still have the ABI of the runtime before " + release;
        }
        boolean older = version.major() < 1 || (version.major() == 1
                && (version.minor() < 2 || (version.minor() == 2 && version.patch() < 1)));
        return older ? "its ABI is older than 1.2.1's" : "its ABI is newer than any this gateway speaks";
    }

    /** The build banner of the library file, read once: the file is several MB on a board. */
    static Optional<LibraryVersion> versionOf(Path library) {
        try {
            return LibraryVersion.readFrom(library);
        }
        catch (IOException ex) {
            throw new RuntimeUnavailableException("cannot read " + library + ": " + ex.getMessage());
        }
    }

}
