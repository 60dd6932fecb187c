package io.rkllm.gateway.stream;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A session as gateways share it, for one that did not start it: enough to answer for it and check who may read it.
 *
 * @param ownerKey the name of the API key that started it, null without keys
 * @param transport how it was asked for
 * @param model the model the run asked for
 */
public record SharedSession(String id, @Nullable String ownerKey, String transport, String model, Instant created) {
}
