package io.rkllm.gateway.mcp;

import java.time.Duration;

import io.modelcontextprotocol.server.McpAsyncServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * When the application closes, before the web server drains its connections: closes the MCP sessions, which
 * completes the server-to-client event streams that MCP clients keep open (GET on the MCP path) and would otherwise
 * hold the graceful shutdown open until its timeout. Tool calls under way end with their runs, as the stream
 * manager's own shutdown ends those. On the close event, not on a lifecycle stop: a stopped context may start again
 * (a paused test context), and the SDK's server cannot be reopened.
 */
public final class McpShutdown implements ApplicationListener<ContextClosedEvent> {

    private static final Logger logger = LoggerFactory.getLogger(McpShutdown.class);

    private final McpAsyncServer server;

    private final Duration grace;

    /**
     * @param grace how long closing the sessions may take
     */
    public McpShutdown(McpAsyncServer server, Duration grace) {
        this.server = server;
        this.grace = grace;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        try {
            this.server.closeGracefully().block(this.grace);
        }
        catch (RuntimeException ex) {
            logger.warn("MCP sessions did not close within {}", this.grace, ex);
        }
    }

}
