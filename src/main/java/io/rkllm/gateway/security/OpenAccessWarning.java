package io.rkllm.gateway.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/** Warns once the service is up when no API keys are set and it listens beyond this machine. */
public final class OpenAccessWarning implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger logger = LoggerFactory.getLogger(OpenAccessWarning.class);

    private final ApiKeys keys;

    private final String address;

    /** @param address {@code server.address}; empty for every interface */
    public OpenAccessWarning(ApiKeys keys, String address) {
        this.keys = keys;
        this.address = address;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        warnIfOpen();
    }

    /** Whether it warned. */
    boolean warnIfOpen() {
        if (this.keys.enabled() || isLoopback(this.address)) {
            return false;
        }
        logger.warn("No API keys are set (rkllm.security.api-keys) and the service listens on {}: anyone who "
                + "reaches the port can run the model and read every session",
                this.address.isEmpty() ? "every interface" : this.address);
        return true;
    }

    private static boolean isLoopback(String address) {
        if (address.isEmpty()) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        }
        catch (UnknownHostException ex) {
            return false;
        }
    }

}
