package io.rkllm.gateway.nativebridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The runtime library, loaded with the ABI generation chosen for it.
 *
 * @param version the runtime version the library file carries, when it carries one
 */
record LoadedLibrary(Path path, AbiAdapter adapter, @Nullable LibraryVersion version) {

    /**
     * Loads {@code path} with the ABI generation {@code abi} ({@code auto}, {@code 1.2} or {@code 1.3}) picks for it.
     * Fails with {@link RuntimeUnavailableException} naming the reason when the file is missing, its generation cannot
     * be told or contradicts {@code abi}, or it does not load.
     */
    static LoadedLibrary load(Path path, String abi) {
        if (!Files.isRegularFile(path)) {
            throw new RuntimeUnavailableException("no runtime library at " + path + " (rkllm.library-path)");
        }
        try {
            Optional<LibraryVersion> carried = AbiSelector.versionOf(path);
            AbiGeneration generation = AbiSelector.select(abi, path, carried);
            return new LoadedLibrary(path, AbiAdapter.load(path, generation), carried.orElse(null));
        }
        catch (RuntimeUnavailableException ex) {
            throw ex;
        }
        catch (UnsatisfiedLinkError | RuntimeException ex) {
            throw new RuntimeUnavailableException("cannot load " + path + ": " + ex.getMessage());
        }
    }

    /** The version as text, when the file carries one. */
    @Nullable String versionText() {
        return (this.version != null) ? this.version.toString() : null;
    }

}
