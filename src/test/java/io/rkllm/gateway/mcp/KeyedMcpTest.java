package io.rkllm.gateway.mcp;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MCP with API keys: a tool call's run belongs to the key that made it, as a run over {@code /rpc} does, so that its
 * client's limits count it and other keys cannot touch it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.security.api-keys[0].name=agent", "rkllm.security.api-keys[0].key=" + KeyedMcpTest.AGENT,
                "rkllm.security.api-keys[1].name=ops", "rkllm.security.api-keys[1].key=" + KeyedMcpTest.OPS,
                "rkllm.security.api-keys[1].role=admin" })
class KeyedMcpTest {

    static final String AGENT = "agent-secret-key-0001";

    static final String OPS = "ops-secret-key-0002";

    @LocalServerPort
    private int port;

    @Test
    void aToolCallsRunBelongsToTheKeyThatMadeIt() throws Exception {
        McpHttp session = McpHttp.open(this.port, AGENT);
        HttpResponse<String> call = session.post(McpHttp.message(1, "tools/call", Map.of("name", "generate",
                "arguments", Map.of("prompt", "MINE [[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=5]]",
                        "model", "tiny-sim"))));
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(call.body()).contains("MINE").doesNotContain("\"isError\":true");

        HttpResponse<String> streams = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/streams"))
                .header("x-api-key", OPS)
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode mcp = JsonMapper.shared().readTree(streams.body()).get("sessions").valueStream()
            .filter((listed) -> listed.get("transport").asString().equals("mcp"))
            .findFirst()
            .orElseThrow();
        assertThat(mcp.get("key").asString()).isEqualTo("agent");
        assertThat(mcp.get("model").asString()).isEqualTo("tiny-sim");
    }

}
