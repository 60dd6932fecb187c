package io.rkllm.gateway.security;

import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import reactor.core.publisher.Mono;

/** Checks what a request presented: an API key against the configured ones, a stream token against its session. */
public final class KeyAuthenticationManager implements ReactiveAuthenticationManager {

    private final ApiKeys keys;

    private final StreamTokens tokens;

    public KeyAuthenticationManager(ApiKeys keys, StreamTokens tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    @Override
    public Mono<Authentication> authenticate(Authentication authentication) {
        return Mono.fromCallable(() -> check((PresentedCredentials) authentication));
    }

    private Authentication check(PresentedCredentials presented) {
        String sessionId = presented.streamSessionId();
        if (sessionId != null) {
            return KeyAuthentication.streamReader(this.tokens.verify(presented.getCredentials(), sessionId), sessionId);
        }
        return this.keys.match(presented.getCredentials())
            .map((match) -> KeyAuthentication.key(match.name(), match.role()))
            .orElseThrow(() -> new BadCredentialsException("the API key is not valid"));
    }

}
