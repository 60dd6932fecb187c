package io.rkllm.gateway.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code rkllm.ws.*} settings of the WebSocket endpoint {@code /ws}.
 *
 * @param maxPendingFrames frames waiting for one socket that does not read, at most; past it the socket is closed with
 * 1008 and its sessions stay readable
 * @param authTimeout with API keys set, how long a socket whose handshake carried no key has to send its {@code auth}
 * message before it is closed with 1008
 */
@ConfigurationProperties("rkllm.ws")
public record WsProperties(@DefaultValue("4096") int maxPendingFrames, @DefaultValue("10s") Duration authTimeout) {

    public WsProperties {
        if (maxPendingFrames < 1) {
            throw new IllegalArgumentException(
                    "rkllm.ws.max-pending-frames must be at least 1, got " + maxPendingFrames);
        }
        if (authTimeout.isNegative() || authTimeout.isZero()) {
            throw new IllegalArgumentException("rkllm.ws.auth-timeout must be positive, got " + authTimeout);
        }
    }

}
