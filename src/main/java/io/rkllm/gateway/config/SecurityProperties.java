package io.rkllm.gateway.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code rkllm.security.*} settings of API keys and stream tokens. CORS has its own record under
 * {@code rkllm.security.cors}.
 *
 * @param apiKeys the keys that may call the service; empty (the default) leaves every route open
 * @param streamTokens the signed tokens that a keyed caller's {@code stream_url} carries
 */
@ConfigurationProperties("rkllm.security")
public record SecurityProperties(@DefaultValue List<ApiKey> apiKeys, @DefaultValue StreamTokens streamTokens) {

    public SecurityProperties {
        Set<String> names = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (ApiKey key : apiKeys) {
            if (!names.add(key.name())) {
                throw new IllegalArgumentException("rkllm.security.api-keys: the name '" + key.name()
                        + "' is given twice");
            }
            if (key.key() != null && !digests.add("plain " + key.key())
                    || key.keySha256() != null && !digests.add(key.keySha256())) {
                throw new IllegalArgumentException("rkllm.security.api-keys: key '" + key.name()
                        + "' has the same key as another one");
            }
        }
    }

    /**
     * One API key: a plain key, or the hex SHA-256 of one so that the configuration holds no key.
     *
     * @param name what sessions and logs name the key by; never secret
     * @param key the key itself
     * @param keySha256 instead of {@code key}: the SHA-256 of its UTF-8 bytes, 64 hex digits
     * @param role {@code client} (runs and its own sessions) or {@code admin} (also admin methods, the Actuator
     * endpoints and every session)
     */
    public record ApiKey(String name, @Nullable String key, @Nullable String keySha256,
            @DefaultValue("client") Role role) {

        public ApiKey {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("rkllm.security.api-keys: every key needs a name");
            }
            if ((key == null) == (keySha256 == null)) {
                throw new IllegalArgumentException("rkllm.security.api-keys: key '" + name
                        + "' needs exactly one of key and key-sha256");
            }
            if (key != null && key.isBlank()) {
                throw new IllegalArgumentException("rkllm.security.api-keys: key '" + name + "' is blank");
            }
            if (keySha256 != null) {
                keySha256 = keySha256.toLowerCase(Locale.ROOT);
                if (!keySha256.matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException("rkllm.security.api-keys: key-sha256 of '" + name
                            + "' must be 64 hex digits");
                }
            }
        }

        /** Leaves the key out, so that it never reaches a log or an error page. */
        @Override
        public String toString() {
            return "ApiKey[name=" + this.name + ", role=" + this.role + "]";
        }

    }

    /** What a key may do. */
    public enum Role {

        /** Runs, and reads, polls and aborts its own sessions. */
        CLIENT,

        /** Everything a client may, and admin methods, the Actuator endpoints and every session. */
        ADMIN

    }

    /**
     * @param ttl how long a stream token opens its session's stream after it was issued
     * @param secret the HMAC key that signs tokens, at least 32 characters; unset: a random one per process (tokens
     * then open streams only on the instance that issued them)
     */
    public record StreamTokens(@DefaultValue("10m") Duration ttl, @Nullable String secret) {

        public StreamTokens {
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("rkllm.security.stream-tokens.ttl must be positive, got " + ttl);
            }
            if (secret != null && secret.length() < 32) {
                throw new IllegalArgumentException(
                        "rkllm.security.stream-tokens.secret must be at least 32 characters");
            }
        }

        /** Leaves the secret out. */
        @Override
        public String toString() {
            return "StreamTokens[ttl=" + this.ttl + "]";
        }

    }

}
