package io.rkllm.gateway.config;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rkllm.ws.*} binds with its default, takes a configured bound and refuses one below 1 at start-up. */
class WsPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withUserConfiguration(Bound.class);

    @Test
    void pendingFramesDefaultTo4096() {
        this.runner
            .run((context) -> assertThat(context.getBean(WsProperties.class).maxPendingFrames()).isEqualTo(4096));
    }

    @Test
    void takesTheConfiguredBound() {
        this.runner.withPropertyValues("rkllm.ws.max-pending-frames=64")
            .run((context) -> assertThat(context.getBean(WsProperties.class).maxPendingFrames()).isEqualTo(64));
    }

    @Test
    void refusesABoundBelowOne() {
        this.runner.withPropertyValues("rkllm.ws.max-pending-frames=0")
            .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                .hasMessage("rkllm.ws.max-pending-frames must be at least 1, got 0"));
    }

    @EnableConfigurationProperties(WsProperties.class)
    static class Bound {

    }

}
