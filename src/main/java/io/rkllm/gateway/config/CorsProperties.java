package io.rkllm.gateway.config;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code rkllm.security.cors.*} settings: which web pages on other origins may call the service from a browser.
 *
 * @param allowedOrigins origin patterns ({@code https://chat.example.com}, {@code http://localhost:*},
 * {@code https://*.example.com}); empty (the default) lets no other origin in
 * @param maxAge how long a browser may keep a preflight's answer
 */
@ConfigurationProperties("rkllm.security.cors")
public record CorsProperties(@DefaultValue List<String> allowedOrigins, @DefaultValue("30m") Duration maxAge) {

    public CorsProperties {
        allowedOrigins = List.copyOf(allowedOrigins);
        for (String origin : allowedOrigins) {
            if (origin.isBlank()) {
                throw new IllegalArgumentException("rkllm.security.cors.allowed-origins holds an empty entry");
            }
            if (origin.indexOf('/', origin.indexOf("//") + 2) >= 0) {
                // A browser's Origin is scheme://host[:port] and never has a path: such an entry would match nothing.
                throw new IllegalArgumentException("rkllm.security.cors.allowed-origins: '" + origin
                        + "' has a path; an origin is scheme://host[:port], e.g. https://chat.example.com");
            }
        }
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("rkllm.security.cors.max-age must not be negative, got " + maxAge);
        }
    }

}
