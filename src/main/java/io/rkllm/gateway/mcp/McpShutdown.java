package io.rkllm.gateway.mcp;

import java.time.Duration;

import io.modelcontextprotocol.server.McpAsyncServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * On shutdown, before the web server drains its connections: closes the MCP sessions, which completes the
 * server-to-client event streams that MCP clients keep open (GET on the MCP path) and would otherwise hold the
 * graceful shutdown open until its timeout. Tool calls under way end with their runs, as the stream manager's own
 * shutdown ends those.
 */
public final class McpShutdown implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(McpShutdown.class);

    private final McpAsyncServer server;

    private final Duration grace;

    private volatile boolean running;

    /**
     * @param grace how long closing the sessions may take
     */
    public McpShutdown(McpAsyncServer server, Duration grace) {
        this.server = server;
        this.grace = grace;
    }

    @Override
    public void start() {
        this.running = true;
    }

    @Override
    public void stop() {
        this.running = false;
        try {
            this.server.closeGracefully().block(this.grace);
        }
        catch (RuntimeException ex) {
            logger.warn("MCP sessions did not close within {}", this.grace, ex);
        }
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    /** Before the web server's graceful shutdown, which stops in a lower phase. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

}
