package io.rkllm.gateway.config;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code rkllm.mcp.*} settings: the MCP server (Streamable HTTP) for agents.
 *
 * @param enabled whether the MCP server is served at all
 * @param path where it is served
 * @param allowedOrigins the browser origins whose requests it takes ({@code http://localhost:*} allows any port);
 * a request with an {@code Origin} header not on the list gets HTTP 403, one without it (any non-browser client)
 * passes. The defence against DNS rebinding that the MCP specification asks for; {@code rkllm.security.cors} (DESIGN
 * §10) is to feed the same list once it exists.
 */
@ConfigurationProperties("rkllm.mcp")
public record McpProperties(@DefaultValue("true") boolean enabled, @DefaultValue("/mcp") String path,
        @DefaultValue List<String> allowedOrigins) {

    public McpProperties {
        if (!path.startsWith("/") || path.length() < 2) {
            throw new IllegalArgumentException("rkllm.mcp.path must start with / and name a path, got '" + path + "'");
        }
        allowedOrigins = List.copyOf(allowedOrigins);
    }

}
