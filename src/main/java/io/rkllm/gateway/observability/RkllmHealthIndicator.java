package io.rkllm.gateway.observability;

import java.util.Locale;

import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RuntimeStatus;
import io.rkllm.gateway.stream.StreamManager;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The {@code rkllm} health component: which library, ABI and model, whether the NPU is busy and how many runs wait.
 * UP when the model is loaded; OUT_OF_SERVICE while it is being initialised (starting, not broken: a readiness probe
 * fails, yet nobody is paged); DOWN with the reason when the library or the model could not be loaded or the runtime
 * was closed. A check that fails answers DOWN with the error, as every indicator on Boot's base class does.
 */
public class RkllmHealthIndicator extends AbstractReactiveHealthIndicator {

    private final RkllmRuntime runtime;

    private final StreamManager manager;

    private final String chatTemplate;

    /**
     * @param chatTemplate which chat template renders the conversations of the OpenAI and Ollama APIs
     */
    public RkllmHealthIndicator(RkllmRuntime runtime, StreamManager manager, String chatTemplate) {
        super("RKLLM health check failed");
        this.runtime = runtime;
        this.manager = manager;
        this.chatTemplate = chatTemplate;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        // rkllm_is_running is a native call: never on a Netty event-loop thread.
        return Mono.fromSupplier(() -> check(builder)).subscribeOn(Schedulers.boundedElastic());
    }

    private Health check(Health.Builder builder) {
        RuntimeStatus status = this.runtime.status();
        Health.Builder health = switch (status.state()) {
            case READY -> builder.up();
            case INITIALIZING -> builder.outOfService().withDetail("reason", "the model is being initialised");
            case UNAVAILABLE, CLOSED -> builder.down()
                .withDetail("reason", (status.reason() != null) ? status.reason() : "the model is not loaded");
        };
        health.withDetail("library", status.libraryPath());
        detail(health, "abi", status.abi());
        detail(health, "version", status.version());
        detail(health, "model", status.modelPath());
        health.withDetail("state", status.state().name().toLowerCase(Locale.ROOT));
        health.withDetail("busy", this.runtime.isRunning());
        health.withDetail("queue_depth", this.manager.queueDepth());
        detail(health, "running_session", this.manager.status().runningSessionId());
        health.withDetail("chat_template", this.chatTemplate);
        return health.build();
    }

    /** Leaves out what is unknown, rather than showing null. */
    private static void detail(Health.Builder health, String key, @Nullable Object value) {
        if (value != null) {
            health.withDetail(key, value);
        }
    }

}
