package io.rkllm.gateway.security;

import java.time.Duration;

import io.rkllm.gateway.config.SecurityProperties;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.MutableClock;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.CredentialsExpiredException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** A stream token opens its own session as its key until it expires, and nothing else; it names no key material. */
class StreamTokensTest {

    private static final SecurityProperties.StreamTokens SETTINGS = new SecurityProperties.StreamTokens(
            Duration.ofMinutes(10), KeyedGateway.TOKEN_SECRET);

    private final MutableClock clock = MutableClock.start();

    private final StreamTokens tokens = new StreamTokens(SETTINGS, this.clock);

    @Test
    void aKeyedCallersUrlCarriesATokenThatOpensItsSessionAsItsKey() {
        String url = this.tokens.url("session-a", new Caller("web", false, "10.0.0.7", false));

        assertThat(url).startsWith("/streams/session-a?access_token=").doesNotContain(KeyedGateway.WEB);
        String token = url.substring(url.indexOf('=') + 1);
        assertThat(this.tokens.verify(token, "session-a")).isEqualTo("web");
        assertThat(this.tokens.url("session-a", new Caller(null, true, "10.0.0.7", false))).isEqualTo("/streams/session-a");
    }

    @Test
    void aTokenOpensNoOtherSessionAndAnAlteredOneNothing() {
        String token = this.tokens.issue("session-a", "web");
        String[] parts = token.split("\\.");

        assertThatExceptionOfType(BadCredentialsException.class)
            .isThrownBy(() -> this.tokens.verify(token, "session-b"));
        for (String altered : new String[] { (Long.parseLong(parts[0]) + 3600) + "." + parts[1] + "." + parts[2],
                parts[0] + ".b3Bz." + parts[2], parts[0] + "." + parts[1] + "." + flip(parts[2]), parts[2], "",
                token + ".x", "1.2.3", parts[0] + "." + parts[1] + ".!!!" }) {
            assertThatExceptionOfType(BadCredentialsException.class).as(altered)
                .isThrownBy(() -> this.tokens.verify(altered, "session-a"))
                .isNotInstanceOf(CredentialsExpiredException.class);
        }
    }

    @Test
    void aTokenExpiresAfterItsTimeToLive() {
        String token = this.tokens.issue("session-a", "web");

        this.clock.advance(Duration.ofMinutes(10).minusSeconds(1));
        assertThat(this.tokens.verify(token, "session-a")).isEqualTo("web");
        this.clock.advance(Duration.ofSeconds(1));
        assertThatExceptionOfType(CredentialsExpiredException.class)
            .isThrownBy(() -> this.tokens.verify(token, "session-a"));
    }

    @Test
    void instancesShareTokensOnlyThroughAConfiguredSecret() {
        String token = this.tokens.issue("session-a", "web");

        assertThat(new StreamTokens(SETTINGS, this.clock).verify(token, "session-a")).isEqualTo("web");
        StreamTokens randomSecret = new StreamTokens(new SecurityProperties.StreamTokens(Duration.ofMinutes(10), null),
                this.clock);
        assertThatExceptionOfType(BadCredentialsException.class)
            .isThrownBy(() -> randomSecret.verify(token, "session-a"));
        assertThatExceptionOfType(BadCredentialsException.class).isThrownBy(() -> new StreamTokens(
                new SecurityProperties.StreamTokens(Duration.ofMinutes(10), null), this.clock)
            .verify(randomSecret.issue("session-a", "web"), "session-a"));
    }

    private static String flip(String text) {
        char first = text.charAt(0);
        return ((first == 'A') ? 'B' : 'A') + text.substring(1);
    }

}
