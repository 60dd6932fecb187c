package io.rkllm.gateway.models;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One model as {@code models_status} and the health component show it.
 *
 * @param aliases other names requests may give for it
 * @param isDefault whether requests that name no model get this one
 * @param sizeBytes the model file's size
 * @param loadedAt when its current load finished, while it is loaded
 * @param loadMs how long its last successful load took
 * @param lastUsed when a run of it last ended (or it was loaded)
 * @param keepAliveUntil when it is unloaded if no run comes, while it is loaded and idle with a finite keep-alive
 * @param keepAliveMs how long it stays loaded after its last run, while it is loaded (-1: for ever)
 * @param baseDomainId the NPU IOMMU domain it was given, while loaded with several residents allowed
 * @param runs runs holding it: queued, running or waiting for it to load
 * @param reason why its last load failed or was refused
 * @param sidecarError why its sidecar file could not be read
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelStatus(String id, List<String> aliases, boolean isDefault, ModelState state, long sizeBytes,
        @Nullable Instant loadedAt, @Nullable Long loadMs, @Nullable Instant lastUsed, @Nullable Instant keepAliveUntil,
        @Nullable Long keepAliveMs, @Nullable Integer baseDomainId, int runs, @Nullable String reason,
        @Nullable String sidecarError) {
}
