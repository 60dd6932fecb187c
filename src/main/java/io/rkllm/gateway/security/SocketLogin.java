package io.rkllm.gateway.security;

import java.util.Optional;

import io.rkllm.gateway.config.SecurityProperties.Role;
import io.rkllm.gateway.stream.Caller;

/**
 * The API key of a WebSocket whose handshake carried none (§10: a browser's socket cannot send a header): with keys
 * set, such a socket must present one in its first message, checked as a header's key is.
 */
public final class SocketLogin {

    private final ApiKeys keys;

    public SocketLogin(ApiKeys keys) {
        this.keys = keys;
    }

    /** Whether a socket opened by this caller must present a key before anything else. */
    public boolean required(Caller caller) {
        return this.keys.enabled() && caller.keyName() == null;
    }

    /** The caller a socket opened by {@code handshake} is with this key, if it is one of the configured keys. */
    public Optional<Caller> login(Caller handshake, String key) {
        return this.keys.match(key)
            .map((match) -> new Caller(match.name(), match.role() == Role.ADMIN, handshake.address(),
                    handshake.local()));
    }

}
