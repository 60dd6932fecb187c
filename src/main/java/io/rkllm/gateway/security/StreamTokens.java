package io.rkllm.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.rkllm.gateway.config.SecurityProperties;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.StreamLinks;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.CredentialsExpiredException;

/**
 * Short-lived tokens that open one session's stream, for clients that cannot send a header ({@code EventSource}).
 * A token is {@code <expiry>.<key name>.<signature>}: the expiry in epoch seconds, the name (not the key) of the key
 * the session belongs to, and an HMAC-SHA256 over those and the session id, with a secret of the service. It names
 * no key material, opens no other session and expires after {@code rkllm.security.stream-tokens.ttl}.
 */
public final class StreamTokens implements StreamLinks {

    private static final String HMAC = "HmacSHA256";

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec secret;

    private final Duration ttl;

    private final Clock clock;

    public StreamTokens(SecurityProperties.StreamTokens properties, Clock clock) {
        byte[] key;
        if (properties.secret() != null) {
            key = properties.secret().getBytes(StandardCharsets.UTF_8);
        }
        else {
            key = new byte[32];
            new SecureRandom().nextBytes(key);
        }
        this.secret = new SecretKeySpec(key, HMAC);
        this.ttl = properties.ttl();
        this.clock = clock;
    }

    /** A keyed caller's stream URL carries a token; one without a key needs none. */
    @Override
    public String url(String sessionId, Caller caller) {
        String path = StreamLinks.path(sessionId);
        return (caller.keyName() != null)
                ? path + "?" + CredentialsConverter.ACCESS_TOKEN + "=" + issue(sessionId, caller.keyName()) : path;
    }

    /** A token that opens this session's stream as the key named, until the time to live has passed. */
    String issue(String sessionId, String keyName) {
        long expiry = this.clock.instant().plus(this.ttl).getEpochSecond();
        String name = ENCODER.encodeToString(keyName.getBytes(StandardCharsets.UTF_8));
        return expiry + "." + name + "." + ENCODER.encodeToString(sign(sessionId, expiry, name));
    }

    /**
     * The name of the key whose session this token opens.
     *
     * @throws BadCredentialsException when it is no token of this service for this session
     * @throws CredentialsExpiredException when it was, but its time has passed
     */
    String verify(String token, String sessionId) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new BadCredentialsException("not a stream token");
        }
        long expiry;
        byte[] presented;
        String keyName;
        try {
            expiry = Long.parseLong(parts[0]);
            presented = Base64.getUrlDecoder().decode(parts[2]);
            keyName = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException ex) {
            throw new BadCredentialsException("not a stream token");
        }
        if (!MessageDigest.isEqual(sign(sessionId, expiry, parts[1]), presented)) {
            throw new BadCredentialsException("the stream token is not valid for this stream");
        }
        if (this.clock.instant().getEpochSecond() >= expiry) {
            throw new CredentialsExpiredException("the stream token has expired");
        }
        return keyName;
    }

    private byte[] sign(String sessionId, long expiry, String encodedName) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(this.secret);
            return mac.doFinal((sessionId + "\n" + expiry + "\n" + encodedName).getBytes(StandardCharsets.UTF_8));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("every Java platform has " + HMAC, ex);
        }
    }

}
