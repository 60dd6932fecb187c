package io.rkllm.gateway.mcp;

import io.modelcontextprotocol.server.McpAsyncServer;
import io.rkllm.gateway.config.CorsProperties;
import io.rkllm.gateway.config.McpConfiguration;
import io.rkllm.gateway.config.McpProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code rkllm.mcp.*} settings: their defaults, their checks, and the switch that leaves MCP out. */
class McpConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withUserConfiguration(Settings.class, McpConfiguration.class);

    @Test
    void switchedOffBuildsNoMcpServer() {
        this.runner.withPropertyValues("rkllm.mcp.enabled=false").run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(McpAsyncServer.class).doesNotHaveBean(McpTools.class);
        });
    }

    @Test
    void defaultsServeAtSlashMcp() {
        new ApplicationContextRunner().withUserConfiguration(Settings.class).run((context) -> {
            McpProperties properties = context.getBean(McpProperties.class);
            assertThat(properties.enabled()).isTrue();
            assertThat(properties.path()).isEqualTo("/mcp");
        });
    }

    @Test
    void bindsAnotherPath() {
        new ApplicationContextRunner().withUserConfiguration(Settings.class)
            .withPropertyValues("rkllm.mcp.path=/agents/mcp")
            .run((context) -> assertThat(context.getBean(McpProperties.class).path()).isEqualTo("/agents/mcp"));
    }

    @Test
    void refusesAPathThatIsNotOne() {
        new ApplicationContextRunner().withUserConfiguration(Settings.class)
            .withPropertyValues("rkllm.mcp.path=mcp")
            .run((context) -> assertThat(context).getFailure()
                .rootCause()
                .hasMessageContaining("rkllm.mcp.path must start with /"));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({ McpProperties.class, CorsProperties.class })
    static class Settings {

    }

}
