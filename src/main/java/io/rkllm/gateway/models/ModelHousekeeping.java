package io.rkllm.gateway.models;

import java.time.Duration;

import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Every {@code rkllm.models.scan-interval}: reads the model directory again, so that added and removed files are
 * noticed, and unloads an idle model past its keep-alive or without its file.
 */
public class ModelHousekeeping implements SchedulingConfigurer {

    private final ModelCatalogue catalogue;

    private final ResidentModels models;

    private final Duration interval;

    public ModelHousekeeping(ModelCatalogue catalogue, ResidentModels models, Duration interval) {
        this.catalogue = catalogue;
        this.models = models;
        this.interval = interval;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::run, this.interval);
    }

    /** One round: the directory, then the residents. */
    public void run() {
        this.catalogue.rescan();
        this.models.unloadExpired();
    }

}
