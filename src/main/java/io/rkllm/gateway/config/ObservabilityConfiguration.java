package io.rkllm.gateway.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.observability.RkllmHealthIndicator;
import io.rkllm.gateway.observability.RkllmMetrics;
import io.rkllm.gateway.observability.StreamGaugesBinder;
import io.rkllm.gateway.observability.StreamsEndpoint;
import io.rkllm.gateway.stream.StreamManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds the health indicator, the {@code streams} endpoint and the meters. The meters come in two beans so that
 * there is no cycle: {@link RkllmMetrics} needs only the registry and is handed to the runtime and the stream manager,
 * while {@link StreamGaugesBinder} reads the stream manager.
 */
@Configuration(proxyBeanMethods = false)
public class ObservabilityConfiguration {

    /**
     * Also the runtime's {@code CallbackObserver}, the stream manager's {@code StreamMetrics} and the JSON-RPC
     * dispatcher's {@code RpcObserver}.
     */
    @Bean
    RkllmMetrics rkllmMetrics(MeterRegistry registry) {
        return new RkllmMetrics(registry);
    }

    @Bean
    StreamGaugesBinder streamGaugesBinder(StreamManager manager) {
        return new StreamGaugesBinder(manager);
    }

    /** The bean name makes the component id: {@code rkllm}. */
    @Bean
    RkllmHealthIndicator rkllmHealthIndicator(RkllmRuntime runtime, StreamManager manager) {
        return new RkllmHealthIndicator(runtime, manager);
    }

    @Bean
    StreamsEndpoint streamsEndpoint(StreamManager manager) {
        return new StreamsEndpoint(manager);
    }

}
