package io.rkllm.gateway.chat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.web.GatewayRpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Base of the tests of the OpenAI- and Ollama-compatible APIs over a real port on the simulator: each test starts
 * with the default model loaded (a test may have unloaded it, as Ollama's clients do) and the NPU free, and leaves it
 * free with its streams closed.
 */
public abstract class LiveApiTest {

    protected static final Duration WAIT = Duration.ofSeconds(10);

    /** Markers for a run without simulated time. */
    protected static final String FAST = "[[sim:prefill_ms=0]][[sim:delay_us=0]]";

    @LocalServerPort
    protected int port;

    @Autowired
    protected RkllmRuntime runtime;

    @Autowired
    protected ResidentModels models;

    protected ApiClient api;

    protected GatewayRpc rpc;

    private final List<ApiClient.Lines> streams = new ArrayList<>();

    @BeforeEach
    void freeNpu() throws Exception {
        this.models.load(this.models.defaultModel()).get(10, TimeUnit.SECONDS);
        this.api = new ApiClient(this.port);
        this.rpc = new GatewayRpc(this.port);
        this.rpc.awaitNpuFree();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (ApiClient.Lines stream : this.streams) {
            stream.close();
        }
        this.rpc.abortUntilFree();
    }

    /**
     * A chat request body of one user message to {@code model}, with more fields given as name, value, name, value…
     */
    protected static Map<String, Object> chatBody(String model, String content, Object... more) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", content)));
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    /** A streamed answer, closed after the test. */
    protected ApiClient.Lines stream(String path, Object body) {
        ApiClient.Lines lines = this.api.stream(path, body);
        this.streams.add(lines);
        return lines;
    }

    /** The text of a short JSON-RPC run of the same prompt: what the simulator generates for it. */
    protected String generated(String prompt) {
        return this.rpc.result("rkllm_run", Map.of("prompt_input", prompt)).get("text").asString();
    }

    /**
     * Sends a streamed request whose run prefills for a while, goes away once the run started, before any answer came
     * (its head still held), and waits for the NPU to stop when the prefill is over, which it would not for minutes.
     */
    protected void goAwayDuringPrefill(String path, Map<String, Object> body) throws Exception {
        byte[] json = JsonMapper.shared().writeValueAsBytes(body);
        try (Socket socket = new Socket("localhost", this.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.flush();
            await("run started").atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(this.rpc::isRunning);
        }
        await("run aborted after its prefill").atMost(WAIT).pollInterval(Duration.ofMillis(20))
            .until(() -> !this.rpc.isRunning());
    }

    /** Closes a streamed answer mid-run and waits for the NPU to stop within a second. */
    protected void closeAndAwaitAbort(ApiClient.Lines client) throws Exception {
        assertThat(this.rpc.isRunning()).isTrue();
        client.close();
        await("run aborted").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
            .until(() -> !this.rpc.isRunning());
    }

}
