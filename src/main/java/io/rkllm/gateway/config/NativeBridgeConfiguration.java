package io.rkllm.gateway.config;

import java.nio.file.Path;

import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Builds the one {@link RkllmRuntime} of the service from {@link RkllmProperties}. */
@Configuration(proxyBeanMethods = false)
public class NativeBridgeConfiguration {

    /** Closed with the context: abort, wait for the run to return, destroy. */
    @Bean(destroyMethod = "close")
    RkllmRuntime rkllmRuntime(RkllmProperties properties, ObjectProvider<CallbackObserver> observer) {
        return RkllmRuntime.open(Path.of(properties.libraryPath()), properties.abi(), properties.model(),
                observer.getIfAvailable(() -> CallbackObserver.NONE));
    }

}
