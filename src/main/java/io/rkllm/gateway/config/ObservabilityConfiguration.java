package io.rkllm.gateway.config;

import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.chat.ChatService;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.observability.RkllmHealthIndicator;
import io.rkllm.gateway.observability.RkllmMeterBinder;
import io.rkllm.gateway.observability.RkllmMetrics;
import io.rkllm.gateway.observability.StreamsEndpoint;
import io.rkllm.gateway.stream.StreamManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds the health indicator, the {@code streams} endpoint and the meters. The meters' hooks and their binder are two
 * beans so that there is no cycle: {@link RkllmMetrics} needs nothing and is handed to the runtime, the stream manager
 * and the dispatcher, while {@link RkllmMeterBinder} reads the stream manager.
 */
@Configuration(proxyBeanMethods = false)
public class ObservabilityConfiguration {

    /**
     * The runtime's {@code CallbackObserver}, the stream manager's {@code StreamMetrics} and the JSON-RPC
     * dispatcher's {@code RpcObserver}.
     */
    @Bean
    RkllmMetrics rkllmMetrics() {
        return new RkllmMetrics();
    }

    /** Bound by Boot to its meter registry. */
    @Bean
    RkllmMeterBinder rkllmMeterBinder(StreamManager manager, RkllmMetrics metrics, ResidentModels models) {
        return new RkllmMeterBinder(manager, metrics, models);
    }

    /** The bean name makes the component id: {@code rkllm}. */
    @Bean
    RkllmHealthIndicator rkllmHealthIndicator(RkllmRuntime runtime, StreamManager manager, ResidentModels models,
            ChatService chats) {
        return new RkllmHealthIndicator(runtime, manager, models, chats.templateDescription());
    }

    @Bean
    StreamsEndpoint streamsEndpoint(StreamManager manager) {
        return new StreamsEndpoint(manager);
    }

}
