package io.rkllm.gateway.mcp;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.rkllm.gateway.web.LiveGatewayTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The MCP server through the official MCP Java SDK client over a real port, on the simulator: tools and their schemas,
 * a generation streamed as progress notifications, a dropped connection aborting its run, errors in MCP's shape.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = McpJavaClientTest.ONE_QUEUED)
class McpJavaClientTest extends LiveGatewayTest {

    /** One run may wait while another runs, so that a test fills the queue with two runs. */
    static final String ONE_QUEUED = "rkllm.queue.capacity=1";

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** From the connection's end to the run's: the service reacts at once, the simulator at its next token (2 ms). */
    private static final Duration ABORT_DEADLINE = Duration.ofSeconds(1);

    private static final String LONG = " [[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=100000]]";

    private final Queue<ProgressNotification> progress = new ConcurrentLinkedQueue<>();

    private McpAsyncClient client;

    @BeforeEach
    void connect() {
        String url = "http://localhost:" + this.port;
        this.client = McpClient.async(HttpClientStreamableHttpTransport.builder(url).build())
            .requestTimeout(WAIT)
            .progressConsumer((notification) -> {
                this.progress.add(notification);
                return Mono.empty();
            })
            .build();
        this.client.initialize().block(WAIT);
    }

    @AfterEach
    void disconnect() {
        this.client.closeGracefully().block(WAIT);
    }

    private CallToolResult call(String tool, Map<String, Object> arguments) {
        return this.client.callTool(new CallToolRequest(tool, arguments)).block(WAIT);
    }

    private static String text(CallToolResult result) {
        assertThat(result.content()).hasSize(1);
        return ((TextContent) result.content().get(0)).text();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> structured(CallToolResult result) {
        return (Map<String, Object>) result.structuredContent();
    }

    private void awaitAbortedRun() {
        await("run aborted").atMost(ABORT_DEADLINE).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            assertThat(this.rpc.isRunning()).isFalse();
            assertThat(this.rpc.status().get("running_session_id").isNull()).isTrue();
        });
    }

    private String shortRun(String word) {
        CallToolResult result = call("generate",
                Map.of("prompt", word + " [[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=40]]"));
        assertThat(result.isError()).as("%s", result).isNotEqualTo(Boolean.TRUE);
        return text(result);
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsItsToolsWithInputSchemasFromTheRegistry() {
        Map<String, McpSchema.Tool> tools = new HashMap<>();
        this.client.listTools().block(WAIT).tools().forEach((tool) -> tools.put(tool.name(), tool));

        assertThat(tools).containsOnlyKeys("generate", "abort", "status");
        Map<String, Object> generate = tools.get("generate").inputSchema();
        assertThat(generate).containsEntry("type", "object").containsEntry("required", List.of("prompt"));
        Map<String, Object> properties = (Map<String, Object>) generate.get("properties");
        assertThat(properties).containsOnlyKeys("prompt", "max_new_tokens", "sampling", "role", "enable_thinking",
                "model");
        assertThat((Map<String, Object>) properties.get("max_new_tokens")).containsEntry("type", "integer")
            .containsEntry("description", "this run's token limit (runtime 1.3)");
        assertThat(tools.get("generate").outputSchema()).containsKey("properties");
        assertThat((Map<String, Object>) tools.get("abort").inputSchema().get("properties"))
            .containsOnlyKeys("session_id");
        assertThat(tools.get("abort").description()).isEqualTo("Aborts a session, by default the one on the NPU.");
        assertThat((Map<String, Object>) tools.get("status").inputSchema().get("properties")).isEmpty();
    }

    @Test
    void generateStreamsEveryTokenAsProgressAndAnswersTheWholeText() {
        CallToolResult result = this.client
            .callTool(CallToolRequest.builder()
                .name("generate")
                .arguments(Map.of("prompt", "STREAMED [[sim:prefill_ms=0]][[sim:delay_us=500]][[sim:tokens=60]]",
                        "max_new_tokens", 1000))
                .progressToken("gen-1")
                .build())
            .block(WAIT);

        assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
        List<ProgressNotification> updates = this.progress.stream()
            .filter((n) -> "gen-1".equals(n.progressToken()))
            .toList();
        assertThat(updates).hasSize(60);
        StringBuilder streamed = new StringBuilder();
        for (int i = 0; i < updates.size(); i++) {
            assertThat(updates.get(i).progress()).as("token count of update %d", i).isEqualTo(i + 1.0);
            streamed.append(updates.get(i).message());
        }
        assertThat(text(result)).startsWith("STREAMED").isEqualTo(streamed.toString());
        Map<String, Object> structured = structured(result);
        assertThat(structured).containsEntry("finish_reason", "stop").containsKeys("session_id", "perf");
        JsonNode listed = this.rpc.listedSession((String) structured.get("session_id"));
        assertThat(listed).isNotNull();
        assertThat(listed.get("transport").asString()).isEqualTo("mcp");
        assertThat(listed.get("state").asString()).isEqualTo("finished");
    }

    @Test
    void generateWithoutProgressTokenSendsNoProgress() {
        String text = shortRun("QUIET");

        assertThat(text).startsWith("QUIET A river");
        assertThat(this.progress).isEmpty();
    }

    /** Starts a long generation in a session of its own and reads its first progress events. */
    private LongCall longGeneration(McpHttp session, long id, String word) {
        Stream<String> events = session.stream(McpHttp.message(id, "tools/call", Map.of("name", "generate",
                "arguments", Map.of("prompt", word + LONG, "max_new_tokens", 100_000), "_meta",
                Map.of("progressToken", "long"))));
        Iterator<String> lines = events.iterator();
        int updates = 0;
        while (updates < 5) {
            String line = lines.next();
            assertThat(line).doesNotContain("\"result\"");
            if (line.startsWith("data:") && line.contains("notifications/progress")) {
                updates++;
            }
        }
        String running = this.rpc.status().get("running_session_id").asString();
        assertThat(this.rpc.listedSession(running).get("transport").asString()).isEqualTo("mcp");
        return new LongCall(events, lines);
    }

    /** A generation's event stream, and its lines not yet read. */
    private record LongCall(Stream<String> events, Iterator<String> rest) implements AutoCloseable {

        @Override
        public void close() {
            this.events.close();
        }

    }

    @Test
    void droppedConnectionAbortsItsRunAndNothingLeaksIntoTheNextRun() {
        LongCall call = longGeneration(McpHttp.open(this.port), 7, "DROPPED");
        String running = this.rpc.status().get("running_session_id").asString();

        call.close();

        awaitAbortedRun();
        JsonNode end = this.rpc.result("poll", Map.of("session_id", running)).get("chunk");
        assertThat(end.get("finish_reason").asString()).isEqualTo("aborted");
        assertThat(end.get("reason").asString()).isEqualTo("disconnected");
        assertThat(shortRun("AFTERDROP")).startsWith("AFTERDROP A river").doesNotContain("DROPPED");
    }

    @Test
    void cancelledCallAbortsItsRunAndIsNotAnswered() {
        McpHttp session = McpHttp.open(this.port);
        try (LongCall call = longGeneration(session, 8, "CANCELLED")) {
            assertThat(session.post(McpHttp.notification("notifications/cancelled",
                    Map.of("requestId", 8, "reason", "the user stopped it"))).statusCode()).isEqualTo(202);

            awaitAbortedRun();
            assertThat(call.rest()).toIterable().as("the rest of the call's stream").noneMatch(
                    (line) -> line.contains("\"result\"") || line.contains("\"error\""));
        }
        assertThat(shortRun("AFTERCANCEL")).startsWith("AFTERCANCEL A river").doesNotContain("CANCELLED");
    }

    @Test
    void requestFromAnOriginNotAllowedIsRefused() {
        String initialize = McpHttp.message(1, "initialize", Map.of("protocolVersion", "2025-06-18", "capabilities",
                Map.of(), "clientInfo", Map.of("name", "page", "version", "1")));

        assertThat(McpHttp.postFrom(this.port, "http://evil.example", initialize).statusCode()).isEqualTo(403);
        assertThat(McpHttp.postFrom(this.port, "http://localhost:6274", initialize).statusCode()).isEqualTo(200);
    }

    @Test
    void callWhileTheQueueIsFullGetsAnMcpErrorAtOnce() {
        this.rpc.startBlocker("BLOCKER");
        this.rpc.result("rkllm_run_async", Map.of("prompt_input", "WAITING [[sim:tokens=5]]"));

        assertThatExceptionOfType(McpError.class)
            .isThrownBy(() -> this.client.callTool(new CallToolRequest("generate", Map.of("prompt", "REFUSED")))
                .block(Duration.ofSeconds(2)))
            .satisfies((error) -> {
                assertThat(error.getJsonRpcError().code()).isEqualTo(-32000);
                assertThat(error.getJsonRpcError().message()).contains("queue");
            });
    }

    @Test
    void unknownToolGetsTheSdksError() {
        assertThatExceptionOfType(McpError.class).isThrownBy(() -> call("no_such_tool", Map.of()))
            .satisfies((error) -> assertThat(error.getJsonRpcError().code()).isEqualTo(-32602));
    }

    @Test
    void badArgumentIsAToolErrorNamingIt() {
        CallToolResult result = call("generate", Map.of("prompt", "x", "max_new_tokens", 0));

        assertThat(result.isError()).isTrue();
        assertThat(text(result)).contains("max_new_tokens").contains("-32602");
        assertThat(result.structuredContent()).isNull();
    }

    @Test
    void abortAndStatusAreTheRegistrysMethods() {
        String blocker = this.rpc.startBlocker("ABORTME");

        Map<String, Object> status = structured(call("status", Map.of()));
        assertThat(status).containsEntry("running_session_id", blocker).containsEntry("initialized", true);
        Map<String, Object> aborted = structured(call("abort", Map.of()));
        assertThat(aborted).containsEntry("aborted", true).containsEntry("session_id", blocker);
        awaitAbortedRun();
        CallToolResult unknown = call("abort", Map.of("session_id", "nope"));
        assertThat(unknown.isError()).isTrue();
        assertThat(text(unknown)).contains("-32001");
    }

}
