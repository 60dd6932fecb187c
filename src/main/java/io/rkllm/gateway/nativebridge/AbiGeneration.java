package io.rkllm.gateway.nativebridge;

import java.util.Optional;

/** The two RKLLM ABI generations the bridge speaks; they are not compatible with each other. */
public enum AbiGeneration {

    /** Runtime 1.2.1, 1.2.2 and 1.2.3: one header layout. */
    V1_2("1.2"),

    /** Runtime 1.3.0: {@code RKLLMCallback} struct at init, per-run sampling, new struct layouts. */
    V1_3("1.3");

    private final String label;

    AbiGeneration(String label) {
        this.label = label;
    }

    /** {@code 1.2} or {@code 1.3}, as in {@code rkllm.abi}. */
    public String label() {
        return this.label;
    }

    /** The generation a runtime version belongs to; empty for 1.2.0 and older, and for releases after 1.3. */
    public static Optional<AbiGeneration> of(LibraryVersion version) {
        if (version.major() == 1 && version.minor() == 2 && version.patch() >= 1) {
            return Optional.of(V1_2);
        }
        if (version.major() == 1 && version.minor() == 3) {
            return Optional.of(V1_3);
        }
        return Optional.empty();
    }

}
