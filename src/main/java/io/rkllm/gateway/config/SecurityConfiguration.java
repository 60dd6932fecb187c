package io.rkllm.gateway.config;

import java.time.Clock;

import io.rkllm.gateway.security.ApiErrors;
import io.rkllm.gateway.security.ApiKeys;
import io.rkllm.gateway.security.ConnectionLimits;
import io.rkllm.gateway.security.CredentialsConverter;
import io.rkllm.gateway.security.JsonOnlyPosts;
import io.rkllm.gateway.security.KeyAuthenticationManager;
import io.rkllm.gateway.security.OpenAccessWarning;
import io.rkllm.gateway.security.Refusals;
import io.rkllm.gateway.security.RouteRules;
import io.rkllm.gateway.security.StreamTokens;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import tools.jackson.databind.ObjectMapper;

/**
 * Builds the security chain from {@link SecurityProperties}: API keys and their roles per route (§10), stream tokens,
 * and the refusals in each API's shape. Stateless: no session, no cookie, no CSRF token (a key in a header is
 * no ambient credential), no login page; a {@code CorsConfigurationSource} bean, when there is one, is applied
 * before any key is checked, so that preflights and refusals carry CORS headers.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    @Bean
    ApiKeys apiKeys(SecurityProperties properties) {
        return new ApiKeys(properties);
    }

    @Bean
    StreamTokens streamTokens(SecurityProperties properties, Clock clock) {
        return new StreamTokens(properties.streamTokens(), clock);
    }

    /**
     * No observation (a span, a long task timer sample, their contexts) per security filter, authentication and
     * authorization: each one lived as long as its exchange, so an open stream held eight of them. The requests
     * themselves are still observed ({@code http.server.requests}).
     */
    @Bean
    static SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /** Also keeps Boot from making a user with a generated password. */
    @Bean
    KeyAuthenticationManager keyAuthenticationManager(ApiKeys keys, StreamTokens tokens) {
        return new KeyAuthenticationManager(keys, tokens);
    }

    @Bean
    ApiErrors apiErrors(ObjectMapper mapper) {
        return new ApiErrors(mapper);
    }

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ApiKeys keys,
            KeyAuthenticationManager manager, ApiErrors errors) {
        Refusals refusals = new Refusals(errors);
        http.csrf(ServerHttpSecurity.CsrfSpec::disable)
            .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
            .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
            .logout(ServerHttpSecurity.LogoutSpec::disable)
            .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
            .requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
            .cors(Customizer.withDefaults())
            .exceptionHandling((handling) -> handling.authenticationEntryPoint(refusals).accessDeniedHandler(refusals));
        if (!keys.enabled()) {
            // Open: every caller is as an admin, which Actuator's health details and the dispatcher read.
            http.anonymous((anonymous) -> anonymous.authorities(RouteRules.OPEN_AUTHORITIES))
                .authorizeExchange((exchanges) -> exchanges.anyExchange().permitAll());
            return http.build();
        }
        AuthenticationWebFilter authentication = new AuthenticationWebFilter(manager);
        authentication.setServerAuthenticationConverter(new CredentialsConverter());
        authentication.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(refusals));
        http.addFilterAt(authentication, SecurityWebFiltersOrder.AUTHENTICATION)
            .authorizeExchange(RouteRules::apply);
        return http.build();
    }

    /** Applied by Spring Boot to the Reactor Netty server. */
    @Bean
    ConnectionLimits connectionLimits(LimitsProperties limits, Clock clock,
            @Value("${management.endpoints.web.base-path:/actuator}") String actuatorPath) {
        return new ConnectionLimits(new ConnectionLimits.Settings(limits.maxConnections(), limits.maxStreams(),
                limits.idleTimeout(), limits.readTimeout(), limits.requestTimeout(), limits.headerTimeout(),
                actuatorPath + "/health"), clock);
    }

    @Bean
    JsonOnlyPosts jsonOnlyPosts(ApiErrors errors) {
        return new JsonOnlyPosts(errors);
    }

    @Bean
    OpenAccessWarning openAccessWarning(ApiKeys keys, @Value("${server.address:}") String address) {
        return new OpenAccessWarning(keys, address);
    }

}
