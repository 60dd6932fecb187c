package io.rkllm.gateway.mcp;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import io.modelcontextprotocol.server.McpAsyncServer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing the application completes the event streams that MCP clients keep open between calls, which would otherwise
 * hold the web server's graceful shutdown open until its timeout. The context is thrown away afterwards: its MCP
 * server is closed.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class McpShutdownTest {

    @LocalServerPort
    private int port;

    @Autowired
    private McpAsyncServer server;

    @Autowired
    private McpShutdown shutdown;

    @Autowired
    private ApplicationContext context;

    @Test
    void shutdownEndsTheStreamsThatClientsListenOn() {
        CompletableFuture<HttpResponse<Stream<String>>> listening = McpHttp.open(this.port).listen();
        // The response begins with the first message on the stream: proof that the server holds it open.
        await("listening stream open").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            this.server.notifyToolsListChanged().block(Duration.ofSeconds(1));
            return listening.isDone();
        });
        HttpResponse<Stream<String>> response = listening.join();
        assertThat(response.statusCode()).isEqualTo(200);

        try (Stream<String> lines = response.body()) {
            CompletableFuture<Long> ended = CompletableFuture.supplyAsync(lines::count);

            this.shutdown.onApplicationEvent(new ContextClosedEvent(this.context));

            assertThat(ended).succeedsWithin(Duration.ofSeconds(5));
        }
    }

}
