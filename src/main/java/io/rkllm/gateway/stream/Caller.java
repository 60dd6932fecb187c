package io.rkllm.gateway.stream;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Who asks, as the transport that carried the request knows it: the name of the API key it presented (null when the
 * service runs without keys) and its remote address. Sessions belong to the key that started them, and per-client
 * limits count per key, else per address.
 *
 * @param keyName the key's configured name, or null without a key
 * @param admin whether the caller may do what only an operator may (an admin key, or any caller when no keys are set)
 * @param address the remote address, without the port
 * @param local whether that address is this machine's: a reverse proxy on the same host would put all its clients
 * behind it, so a keyless local caller is not limited per client (the queue's capacity still bounds it)
 */
public record Caller(@Nullable String keyName, boolean admin, String address, boolean local) {

    /**
     * A caller that its transport could not name: it owns only what other such callers start and is no admin. Where a
     * transport hands no caller to the stream manager, it is this one, so that nothing opens by default; per-client
     * limits cannot tell such callers apart and leave them to the queue's capacity.
     */
    public static final Caller UNIDENTIFIED = new Caller(null, false, "unidentified", true);

    /** What per-client limits count this caller as: its key, else its address. */
    public String clientId() {
        return (this.keyName != null) ? "key " + this.keyName : this.address;
    }

    /** Whether per-client limits apply: always to a key, to an address unless it is this machine's. */
    public boolean limitedPerClient() {
        return this.keyName != null || !this.local;
    }

    /** Whether this caller may read, poll or abort a session: its own, or any for an admin. */
    public boolean mayUse(StreamSession session) {
        return this.admin || Objects.equals(this.keyName, session.owner().keyName());
    }

}
