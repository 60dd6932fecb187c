package io.rkllm.gateway.models;

import java.util.List;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The answer to {@code models_status}: every model of the catalogue (and any still loaded whose file went).
 *
 * @param maxResident how many may be loaded at once here (1 where the runtime cannot hold several)
 * @param resident how many are loaded, or being loaded or unloaded, now
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelsStatus(int maxResident, int resident, List<ModelStatus> models) {
}
