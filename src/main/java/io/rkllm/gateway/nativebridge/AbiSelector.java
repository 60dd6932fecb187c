package io.rkllm.gateway.nativebridge;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Chooses the ABI generation for a library file from {@code rkllm.abi}. A wrong choice is a crash on the first call,
 * so it refuses to guess: {@code auto} needs the version banner in the file, and an explicit choice that the banner
 * contradicts is refused too.
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
            throw new RuntimeUnavailableException("runtime " + version.get() + " in " + library
                    + " is not supported: use runtime 1.2.1-1.2.3 or 1.3.x");
        }
        if ("auto".equals(setting)) {
            return carried.orElseThrow(() -> new RuntimeUnavailableException(library
                    + " carries no 'rkllm-runtime version: X.Y.Z' string; set rkllm.abi to 1.2 or 1.3"));
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

    /** The version banner of the library file, read once: the file is several MB on a board. */
    static Optional<LibraryVersion> versionOf(Path library) {
        try {
            return LibraryVersion.readFrom(library);
        }
        catch (IOException ex) {
            throw new RuntimeUnavailableException("cannot read " + library + ": " + ex.getMessage());
        }
    }

}
