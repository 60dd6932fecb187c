package io.rkllm.gateway.config;

import java.time.Duration;

import io.rkllm.gateway.security.CorsPolicy;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rkllm.security.cors.*} binds into {@link CorsProperties} and its policy; entries that match nothing fail. */
class CorsPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withUserConfiguration(WithCors.class);

    @Test
    void noOriginIsAllowedByDefault() {
        this.runner.run((context) -> {
            assertThat(context.getBean(CorsProperties.class).allowedOrigins()).isEmpty();
            assertThat(context.getBean(CorsProperties.class).maxAge()).isEqualTo(Duration.ofMinutes(30));
            assertThat(context.getBean(CorsPolicy.class).allowsOrigin("http://localhost:8080")).isFalse();
        });
    }

    @Test
    void patternsMatchPortsAndSubdomains() {
        this.runner
            .withPropertyValues("rkllm.security.cors.allowed-origins=http://localhost:*,https://*.example.com",
                    "rkllm.security.cors.max-age=5m")
            .run((context) -> {
                CorsPolicy policy = context.getBean(CorsPolicy.class);
                assertThat(policy.allowsOrigin("http://localhost:5173")).isTrue();
                assertThat(policy.allowsOrigin("https://chat.example.com")).isTrue();
                assertThat(policy.allowsOrigin("https://localhost:5173")).isFalse();
                assertThat(policy.allowsOrigin("https://example.com.evil.net")).isFalse();
                assertThat(policy.allowsOrigin(null)).isFalse();
                assertThat(context.getBean(CorsProperties.class).maxAge()).isEqualTo(Duration.ofMinutes(5));
            });
    }

    @Test
    void anOriginWithAPathIsRefusedNamingTheKey() {
        this.runner.withPropertyValues("rkllm.security.cors.allowed-origins=https://chat.example.com/")
            .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                .hasMessageContaining("rkllm.security.cors.allowed-origins")
                .hasMessageContaining("scheme://host[:port]"));
    }

    @Test
    void aNegativeMaxAgeIsRefused() {
        this.runner.withPropertyValues("rkllm.security.cors.max-age=-1s")
            .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                .hasMessageContaining("rkllm.security.cors.max-age"));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(CorsProperties.class)
    @Import(CorsWebConfiguration.class)
    static class WithCors {

    }

}
