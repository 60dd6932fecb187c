package io.rkllm.gateway.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code rkllm.mcp.*} settings: the MCP server (Streamable HTTP) for agents.
 *
 * @param enabled whether the MCP server is served at all
 * @param path where it is served
 */
@ConfigurationProperties("rkllm.mcp")
public record McpProperties(@DefaultValue("true") boolean enabled, @DefaultValue("/mcp") String path) {

    public McpProperties {
        if (!path.startsWith("/") || path.length() < 2) {
            throw new IllegalArgumentException("rkllm.mcp.path must start with / and name a path, got '" + path + "'");
        }
    }

}
