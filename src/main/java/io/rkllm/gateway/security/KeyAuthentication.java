package io.rkllm.gateway.security;

import java.util.Collection;
import java.util.List;

import io.rkllm.gateway.config.SecurityProperties.Role;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request that a configured key let in: the key's name and what it may do. A stream token lets its bearer in as
 * the key that the session belongs to, for that session's stream only.
 */
final class KeyAuthentication extends AbstractAuthenticationToken {

    static final String CLIENT = "ROLE_CLIENT";

    static final String ADMIN = "ROLE_ADMIN";

    /** Held by a stream token's bearer: reading one session's stream, nothing else. */
    static final String STREAM_READER = "STREAM_READER";

    private final String keyName;

    private final @Nullable String streamSessionId;

    private KeyAuthentication(String keyName, Collection<? extends GrantedAuthority> authorities,
            @Nullable String streamSessionId) {
        super(authorities);
        this.keyName = keyName;
        this.streamSessionId = streamSessionId;
        setAuthenticated(true);
    }

    static KeyAuthentication key(String keyName, Role role) {
        List<GrantedAuthority> authorities = (role == Role.ADMIN)
                ? List.of(new SimpleGrantedAuthority(CLIENT), new SimpleGrantedAuthority(ADMIN))
                : List.of(new SimpleGrantedAuthority(CLIENT));
        return new KeyAuthentication(keyName, authorities, null);
    }

    static KeyAuthentication streamReader(String keyName, String sessionId) {
        return new KeyAuthentication(keyName, List.of(new SimpleGrantedAuthority(STREAM_READER)), sessionId);
    }

    @Override
    public String getName() {
        return this.keyName;
    }

    @Override
    public Object getPrincipal() {
        return this.keyName;
    }

    @Override
    public @Nullable Object getCredentials() {
        return null;
    }

    /** The one session a stream token opens; null for a key. */
    @Nullable String streamSessionId() {
        return this.streamSessionId;
    }

}
