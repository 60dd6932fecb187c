package io.rkllm.gateway.chat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.rkllm.gateway.models.ModelFile;
import org.jspecify.annotations.Nullable;

/**
 * A model of the catalogue as the model lists of both APIs describe it. The id is the file name without
 * {@code .rkllm}; the digest stands for the file's path, size and modification time (hashing a model of gigabytes
 * at every listing would cost seconds on a board).
 *
 * @param contextLength the context window the model runs with, when known
 */
public record ServedModel(String id, long size, Instant modified, String digest, @Nullable Integer contextLength) {

    /** The model of this file, with the context window it runs with. */
    public static ServedModel of(ModelFile file, @Nullable Integer contextLength) {
        String identity = file.path().toAbsolutePath() + "|" + file.sizeBytes() + "|" + file.modified();
        return new ServedModel(file.id(), file.sizeBytes(), file.modified(),
                Sha256.hex(identity.getBytes(StandardCharsets.UTF_8)), contextLength);
    }

}
