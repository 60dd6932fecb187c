package io.rkllm.gateway.mcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.rkllm.gateway.web.LiveGatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official TypeScript SDK client (pinned in mcp-check/package-lock.json, installed by the build) holds one MCP
 * session with the service over a real port: it lists the tools, streams a generation with a progress token, cancels
 * a long one, and runs another. The Node script reports what it saw; this test judges it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = McpJavaClientTest.ONE_QUEUED)
class McpTypeScriptClientTest extends LiveGatewayTest {

    private static final Path MCP_CHECK = Path.of("mcp-check").toAbsolutePath();

    @Test
    void typeScriptClientStreamsCancelsAndRunsAgain() throws Exception {
        JsonNode report = runSession();

        assertThat(report.has("error")).as("the script failed: %s", report.path("error")).isFalse();
        assertThat(report.get("server").get("name").asString()).isEqualTo("rkllm-gateway");
        assertThat(report.get("tools").propertyNames()).containsExactlyInAnyOrder("generate", "abort", "status");
        JsonNode generate = report.get("tools").get("generate");
        assertThat(generate.get("required").toString()).isEqualTo("[\"prompt\"]");
        assertThat(generate.get("properties").get("sampling").get("type").asString()).isEqualTo("object");

        JsonNode streamed = report.get("streamed");
        String text = streamed.get("text").asString();
        assertThat(text).startsWith("STREAMED A river");
        StringBuilder deltas = new StringBuilder();
        int count = 0;
        for (JsonNode delta : streamed.get("deltas")) {
            count++;
            assertThat(delta.get("progress").asInt()).as("progress of delta %d", count).isEqualTo(count);
            deltas.append(delta.get("message").asString());
        }
        assertThat(count).isEqualTo(40);
        assertThat(deltas.toString()).isEqualTo(text);
        assertThat(streamed.get("structured").get("finish_reason").asString()).isEqualTo("stop");

        JsonNode cancelled = report.get("cancelled");
        assertThat(cancelled.get("outcome").asString()).startsWith("rejected");
        assertThat(cancelled.get("stillRunning").asBoolean()).isFalse();
        assertThat(cancelled.get("stoppedAfterMs").asLong()).as("ms from the cancellation to the NPU's stop")
            .isLessThan(1000);
        String next = report.get("next").get("text").asString();
        assertThat(next).startsWith("NEXT A river").doesNotContain("CANCELLED");
        assertThat(next.length()).isEqualTo(text.length() - "STREAMED".length() + "NEXT".length());
    }

    /** Runs mcp-check/session.mjs against this service; fails, rather than skips, without Node or its packages. */
    private JsonNode runSession() throws IOException, InterruptedException {
        assertThat(MCP_CHECK.resolve("node_modules/@modelcontextprotocol/sdk"))
            .as("the npm packages of mcp-check/: the build installs them (npm ci --prefix mcp-check)")
            .isDirectory();
        Path log = Files.createTempFile("mcp-session", ".err");
        Process process = new ProcessBuilder("node", MCP_CHECK.resolve("session.mjs").toString(),
                String.valueOf(this.port))
            .redirectError(log.toFile())
            .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("node session.mjs finished").isTrue();
        assertThat(process.exitValue()).as("node session.mjs: %s", Files.readString(log)).isZero();
        return JsonMapper.shared().readTree(output);
    }

}
