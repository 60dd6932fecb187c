package io.rkllm.gateway.observability;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.rkllm.gateway.models.ModelState;
import io.rkllm.gateway.models.ModelStatus;
import io.rkllm.gateway.models.ModelsStatus;
import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RuntimeStatus;
import io.rkllm.gateway.stream.StreamManager;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The {@code rkllm} health component: which library, ABI and default model, whether the NPU is busy, how many runs
 * wait, and the state of every model. UP when the default model is loaded, or was and has been unloaded to make room
 * or after its keep-alive (it loads again on demand); OUT_OF_SERVICE while it is being initialised at start (starting,
 * not broken: a readiness probe fails, yet nobody is paged); DOWN with the reason when the library or the default
 * model could not be loaded or the runtime was closed. A check that fails answers DOWN with the error, as every
 * indicator on Boot's base class does.
 */
public class RkllmHealthIndicator extends AbstractReactiveHealthIndicator {

    private final RkllmRuntime runtime;

    private final StreamManager manager;

    private final @Nullable ResidentModels models;

    private final String chatTemplate;

    /**
     * @param models the resident models, null for a service with a single model
     * @param chatTemplate which chat template renders the conversations of the OpenAI and Ollama APIs
     */
    public RkllmHealthIndicator(RkllmRuntime runtime, StreamManager manager, @Nullable ResidentModels models,
            String chatTemplate) {
        super("RKLLM health check failed");
        this.runtime = runtime;
        this.manager = manager;
        this.models = models;
        this.chatTemplate = chatTemplate;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        // rkllm_is_running is a native call: never on a Netty event-loop thread.
        return Mono.fromSupplier(() -> check(builder)).subscribeOn(Schedulers.boundedElastic());
    }

    private Health check(Health.Builder builder) {
        RuntimeStatus status = this.runtime.status();
        ModelsStatus all = (this.models != null) ? this.models.status() : null;
        ModelStatus fallback = (all != null)
                ? all.models().stream().filter(ModelStatus::isDefault).findFirst().orElse(null) : null;
        Health.Builder health;
        if (fallback != null && unloadedOnPurpose(fallback) && status.state() != RuntimeStatus.State.CLOSED) {
            health = builder.up();
        }
        else {
            health = switch (status.state()) {
                case READY -> builder.up();
                case INITIALIZING -> builder.outOfService().withDetail("reason", "the model is being initialised");
                case UNAVAILABLE, CLOSED -> builder.down()
                    .withDetail("reason", (status.reason() != null) ? status.reason() : "the model is not loaded");
            };
        }
        String sharedDown = this.manager.sharedUnavailable();
        if (sharedDown != null) {
            health = builder.down().withDetail("reason", sharedDown);
        }
        health.withDetail("library", status.libraryPath());
        detail(health, "abi", status.abi());
        detail(health, "version", status.version());
        detail(health, "model", status.modelPath());
        health.withDetail("state", status.state().name().toLowerCase(Locale.ROOT));
        health.withDetail("busy", this.runtime.isRunning());
        health.withDetail("queue_depth", this.manager.queueDepth());
        detail(health, "running_session", this.manager.status().runningSessionId());
        if (all != null) {
            Map<String, String> states = new LinkedHashMap<>();
            all.models().forEach((model) -> states.put(model.id(), model.state().wireName()));
            health.withDetail("models", states);
            health.withDetail("resident_models", all.resident());
        }
        health.withDetail("chat_template", this.chatTemplate);
        return health.build();
    }

    /**
     * Whether the default model is out of memory because the resident set let it go (to make room, after its
     * keep-alive) after it had loaded: it loads again on demand, which is no reason to take the service out.
     */
    private static boolean unloadedOnPurpose(ModelStatus model) {
        boolean loadedBefore = model.loadMs() != null;
        return loadedBefore && (model.state() == ModelState.UNLOADED || model.state() == ModelState.UNLOADING
                || model.state() == ModelState.LOADING);
    }

    /** Leaves out what is unknown, rather than showing null. */
    private static void detail(Health.Builder health, String key, @Nullable Object value) {
        if (value != null) {
            health.withDetail(key, value);
        }
    }

}
