package io.rkllm.gateway.config;

import java.nio.file.Path;

import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RuntimeLibrary;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Loads the runtime library once, from {@link RkllmProperties}, and offers the default model's {@link RkllmRuntime},
 * which the resident set makes at start and keeps.
 */
@Configuration(proxyBeanMethods = false)
public class NativeBridgeConfiguration {

    @Bean
    RuntimeLibrary runtimeLibrary(RkllmProperties properties) {
        return RuntimeLibrary.load(Path.of(properties.libraryPath()), properties.abi());
    }

    /** Closed with the context: abort, wait for the run to return, destroy. */
    @Bean(destroyMethod = "close")
    RkllmRuntime rkllmRuntime(ResidentModels models) {
        return models.defaultRuntime();
    }

}
