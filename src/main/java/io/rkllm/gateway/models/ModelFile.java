package io.rkllm.gateway.models;

import java.nio.file.Path;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One model of the catalogue: a {@code .rkllm} file and what its sidecar says about it.
 *
 * @param id the file name without {@code .rkllm}: what requests name the model by
 * @param path the model file
 * @param sizeBytes the file's size when it was last read (0 when it is missing)
 * @param modified when the file or its sidecar last changed, as last read
 * @param sidecar what the sidecar file says; {@link ModelSidecar#none()} without one or when it is broken
 * @param sidecarError why the sidecar could not be read; a model with one does not load
 * @param isDefault whether this is {@code rkllm.model.model-path}, used when a request names no model
 */
public record ModelFile(String id, Path path, long sizeBytes, Instant modified, ModelSidecar sidecar,
        @Nullable String sidecarError, boolean isDefault) {

    /** Whether {@code other} describes the same file content as this (same path, size and change times). */
    public boolean sameAs(ModelFile other) {
        return this.path.equals(other.path) && this.sizeBytes == other.sizeBytes
                && this.modified.equals(other.modified);
    }

}
