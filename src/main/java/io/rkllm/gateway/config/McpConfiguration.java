package io.rkllm.gateway.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.spec.McpSchema;
import io.rkllm.gateway.mcp.McpCallers;
import io.rkllm.gateway.mcp.McpCancellations;
import io.rkllm.gateway.mcp.McpShutdown;
import io.rkllm.gateway.mcp.McpTools;
import io.rkllm.gateway.rpc.ClientPaths;
import io.rkllm.gateway.rpc.JsonRpcDispatcher;
import io.rkllm.gateway.rpc.RpcMethod;
import io.rkllm.gateway.rpc.RunParams;
import io.rkllm.gateway.stream.StreamManager;
import org.springframework.ai.mcp.server.webflux.transport.WebFluxStreamableServerTransportProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.ObjectMapper;

/** Builds the MCP server (DESIGN §5.3) on the official Java SDK, unless {@code rkllm.mcp.enabled} is false. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "rkllm.mcp.enabled", matchIfMissing = true)
public class McpConfiguration {

    /** The SDK's own mapper: MCP's wire types are written by its rules, whatever the application's mapper does. */
    @Bean
    McpJsonMapper mcpJsonMapper() {
        return McpJsonDefaults.getMapper();
    }

    @Bean
    McpCancellations mcpCancellations(McpJsonMapper mapper) {
        return new McpCancellations(mapper);
    }

    /**
     * The Origin of a browser's request checked against the CORS list, {@code rkllm.security.cors.allowed-origins},
     * as the MCP specification asks (a defence against DNS rebinding); a request without one (any non-browser client)
     * passes.
     */
    @Bean
    WebFluxStreamableServerTransportProvider mcpTransport(McpProperties properties, CorsProperties cors,
            McpJsonMapper mapper) {
        return WebFluxStreamableServerTransportProvider.builder()
            .jsonMapper(mapper)
            .messageEndpoint(properties.path())
            .contextExtractor(McpCallers::context)
            .securityValidator(DefaultServerTransportSecurityValidator.builder()
                .allowedOrigins(cors.allowedOrigins())
                .build())
            .build();
    }

    @Bean
    McpTools mcpTools(StreamManager manager, ClientPaths paths, JsonRpcDispatcher dispatcher,
            ObjectMapper mapper, McpCancellations cancellations) {
        Map<String, RpcMethod> registry = dispatcher.methods()
            .stream()
            .collect(Collectors.toMap(RpcMethod::name, Function.identity()));
        return new McpTools(manager, new RunParams(paths), registry, mapper, cancellations);
    }

    @Bean(destroyMethod = "close")
    McpAsyncServer mcpServer(WebFluxStreamableServerTransportProvider transport, McpTools tools,
            McpJsonMapper mapper) {
        String version = Objects.requireNonNullElse(getClass().getPackage().getImplementationVersion(), "dev");
        return McpServer.async(transport)
            .serverInfo("rkllm-gateway", version)
            .jsonMapper(mapper)
            .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
            .tools(tools.specifications())
            .build();
    }

    @Bean
    McpShutdown mcpShutdown(McpAsyncServer server,
            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration phaseTimeout) {
        return new McpShutdown(server, phaseTimeout.dividedBy(2));
    }

    @Bean
    @SuppressWarnings("unchecked")
    RouterFunction<ServerResponse> mcpRoutes(WebFluxStreamableServerTransportProvider transport,
            McpCancellations cancellations) {
        // The caller's filter runs first: the cancellations' filter copies the request, attributes included.
        return ((RouterFunction<ServerResponse>) transport.getRouterFunction()).filter(cancellations)
            .filter(new McpCallers());
    }

}
