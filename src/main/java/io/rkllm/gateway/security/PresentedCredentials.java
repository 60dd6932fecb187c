package io.rkllm.gateway.security;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * What a request presented before it is checked: an API key (from {@code Authorization: Bearer}, {@code x-api-key}
 * or a {@code bearer.<key>} WebSocket subprotocol), or the stream token of the session its path names.
 */
final class PresentedCredentials extends AbstractAuthenticationToken {

    private final String value;

    private final @Nullable String streamSessionId;

    private PresentedCredentials(String value, @Nullable String streamSessionId) {
        super(List.of());
        this.value = value;
        this.streamSessionId = streamSessionId;
        setAuthenticated(false);
    }

    static PresentedCredentials apiKey(String key) {
        return new PresentedCredentials(key, null);
    }

    static PresentedCredentials streamToken(String token, String sessionId) {
        return new PresentedCredentials(token, sessionId);
    }

    /** The session a stream token was presented for; null for an API key. */
    @Nullable String streamSessionId() {
        return this.streamSessionId;
    }

    @Override
    public String getCredentials() {
        return this.value;
    }

    @Override
    public Object getPrincipal() {
        return "";
    }

    @Override
    public String toString() {
        return (this.streamSessionId != null) ? "stream token" : "API key";
    }

}
