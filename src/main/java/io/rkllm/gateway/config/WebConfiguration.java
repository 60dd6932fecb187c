package io.rkllm.gateway.config;

import java.util.List;
import java.util.Objects;

import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.rpc.ClientPaths;
import io.rkllm.gateway.rpc.InferenceMethods;
import io.rkllm.gateway.rpc.JsonRpcDispatcher;
import io.rkllm.gateway.rpc.ModelMethods;
import io.rkllm.gateway.rpc.RpcMethodProvider;
import io.rkllm.gateway.rpc.RpcObserver;
import io.rkllm.gateway.rpc.RunParams;
import io.rkllm.gateway.rpc.RuntimeMethods;
import io.rkllm.gateway.security.ConnectionLimits;
import io.rkllm.gateway.stream.StreamLinks;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.web.GatewayRoutes;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.ObjectMapper;

/** Builds the JSON-RPC registry and dispatcher, and the routes of the {@code web} package. */
@Configuration(proxyBeanMethods = false)
public class WebConfiguration {

    @Bean
    ClientPaths clientPaths(RkllmProperties properties) {
        return new ClientPaths(properties.modelDir(), properties.cacheDir());
    }

    @Bean
    InferenceMethods inferenceMethods(StreamManager manager, RkllmRuntime runtime, ClientPaths paths,
            StreamLinks links) {
        return new InferenceMethods(manager, runtime, new RunParams(paths), links);
    }

    @Bean
    ModelMethods modelMethods(ResidentModels models) {
        return new ModelMethods(models);
    }

    @Bean
    RuntimeMethods runtimeMethods(RkllmRuntime runtime, ClientPaths paths, ObjectMapper mapper) {
        return new RuntimeMethods(runtime, paths, mapper);
    }

    @Bean
    JsonRpcDispatcher jsonRpcDispatcher(List<RpcMethodProvider> providers, ObjectMapper mapper,
            RkllmProperties properties, LimitsProperties limits, ObjectProvider<RpcObserver> observer) {
        String version = Objects.requireNonNullElse(getClass().getPackage().getImplementationVersion(), "dev");
        return new JsonRpcDispatcher(providers, mapper,
                new JsonRpcDispatcher.Settings(limits.maxBatch(), properties.testMethods().enabled(),
                        properties.adminMethods().enabled(), version, limits.maxDepth(), limits.maxIdLength()),
                observer.getIfAvailable(() -> RpcObserver.NONE));
    }

    @Bean
    RouterFunction<ServerResponse> gatewayRoutes(JsonRpcDispatcher dispatcher, StreamManager manager,
            LimitsProperties limits, StreamsProperties streams, ObjectMapper mapper, StreamLinks links,
            ConnectionLimits connections) {
        return GatewayRoutes.of(dispatcher, manager, limits.maxRequestBytes(), streams.heartbeat(), mapper, links,
                connections);
    }

}
