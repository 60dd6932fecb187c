package io.rkllm.gateway.config;

import java.time.Clock;

import io.rkllm.gateway.models.ModelCatalogue;
import io.rkllm.gateway.models.ModelHousekeeping;
import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.nativebridge.RuntimeLibrary;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Builds the model catalogue, the resident set that loads its models, and their housekeeping. */
@Configuration(proxyBeanMethods = false)
public class ModelsConfiguration {

    @Bean
    ModelCatalogue modelCatalogue(RkllmProperties properties, ModelsProperties models, Clock clock) {
        return new ModelCatalogue(properties.modelDir(), properties.model().modelPath(), clock, models.scanInterval());
    }

    /** Closed with the context: every loaded model's run aborted, its handle destroyed. */
    @Bean(destroyMethod = "close")
    ResidentModels residentModels(RuntimeLibrary library, ModelCatalogue catalogue, RkllmProperties properties,
            ModelsProperties models, Clock clock, ObjectProvider<CallbackObserver> observer) {
        return new ResidentModels(library, catalogue, properties.model(), models, clock,
                observer.getIfAvailable(() -> CallbackObserver.NONE));
    }

    @Bean
    ModelHousekeeping modelHousekeeping(ModelCatalogue catalogue, ResidentModels models, ModelsProperties settings) {
        return new ModelHousekeeping(catalogue, models, settings.scanInterval());
    }

}
