package io.rkllm.gateway.config;

import io.rkllm.gateway.security.CorsPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;

/** Builds the service's CORS policy from {@code rkllm.security.cors.*} and puts its filter in front of every route. */
@Configuration(proxyBeanMethods = false)
public class CorsWebConfiguration {

    @Bean
    CorsPolicy corsPolicy(CorsProperties properties) {
        return new CorsPolicy(properties.allowedOrigins(), properties.maxAge());
    }

    @Bean
    WebFilter corsWebFilter(CorsPolicy policy) {
        return policy.webFilter();
    }

}
