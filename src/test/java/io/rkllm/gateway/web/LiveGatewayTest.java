package io.rkllm.gateway.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.rkllm.gateway.nativebridge.RkllmRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the tests that talk to the running service over its real port: each test starts with the model loaded and
 * the NPU free, and leaves it free with its SSE readers closed.
 */
public abstract class LiveGatewayTest {

    @LocalServerPort
    protected int port;

    @Autowired
    protected RkllmRuntime runtime;

    protected GatewayRpc rpc;

    private final List<RawSseClient> clients = new ArrayList<>();

    @BeforeEach
    void freeNpu() throws Exception {
        this.runtime.initialization().get(10, TimeUnit.SECONDS);
        this.rpc = new GatewayRpc(this.port);
        this.rpc.awaitNpuFree();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (RawSseClient client : this.clients) {
            client.close();
        }
        this.rpc.abortUntilFree();
    }

    /** An SSE reader of {@code path}, closed after the test. */
    protected RawSseClient stream(String path, Map<String, String> headers) throws Exception {
        RawSseClient client = RawSseClient.get(this.port, path, headers);
        this.clients.add(client);
        return client;
    }

}
