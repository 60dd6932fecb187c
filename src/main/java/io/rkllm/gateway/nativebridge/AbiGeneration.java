package io.rkllm.gateway.nativebridge;

import java.util.Optional;

/** The two RKLLM ABI generations the bridge speaks; they are not compatible with each other. */
public enum AbiGeneration {

    /** Runtime 1.2.1 to 1.2.3 (and later 1.2.x): one header layout. */
    V1_2("1.2"),

    /** Runtime 1.3.x: {@code RKLLMCallback} struct at init, per-run sampling, new struct layouts. */
    V1_3("1.3");

    private final String label;

    AbiGeneration(String label) {
        this.label = label;
    }

    /** {@code 1.2} or {@code 1.3}, as in {@code rkllm.abi}. */
    public String label() {
        return this.label;
    }

    /**
     * The generation a runtime version belongs to; empty for 1.2.0 and older, for releases after 1.3, and for a
     * pre-release that opens a generation: {@code 1.2.1b1} still has 1.2.0's callback and input layout.
     */
    public static Optional<AbiGeneration> of(LibraryVersion version) {
        Optional<AbiGeneration> release = ofRelease(version.major(), version.minor(), version.patch());
        if (version.suffix().isEmpty()) {
            return release;
        }
        // A pre-release comes before its release, after the previous one: it speaks a generation only if both do.
        return (version.patch() > 0
                && release.equals(ofRelease(version.major(), version.minor(), version.patch() - 1))) ? release
                        : Optional.empty();
    }

    private static Optional<AbiGeneration> ofRelease(int major, int minor, int patch) {
        if (major == 1 && minor == 2 && patch >= 1) {
            return Optional.of(V1_2);
        }
        if (major == 1 && minor == 3) {
            return Optional.of(V1_3);
        }
        return Optional.empty();
    }

}
