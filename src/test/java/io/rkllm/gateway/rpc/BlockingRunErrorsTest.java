package io.rkllm.gateway.rpc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.config.StreamsProperties;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.Simulator;
import io.rkllm.gateway.rpc.JsonRpcDispatcher.Json;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.MutableClock;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.StreamLinks;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.stream.StreamMetrics;
import io.rkllm.gateway.stream.StreamSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A blocking {@code rkllm_run} answers with the error its session ended with, code included: a run that waited too
 * long in the queue is -32000, one whose runtime went away before it started -32003, not a blanket -32004.
 */
class BlockingRunErrorsTest {

    private static final Duration MAX_WAIT = Duration.ofSeconds(5);

    private final MutableClock clock = MutableClock.start();

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private final RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_3);

    private final StreamManager manager = new StreamManager(this.runtime,
            new StreamsProperties(256, 4096, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(15)),
            new QueueProperties(16, MAX_WAIT), this.clock, StreamMetrics.NONE, this.timer);

    private final JsonRpcDispatcher dispatcher = new JsonRpcDispatcher(
            List.of(new InferenceMethods(this.manager, this.runtime, new RunParams(new ClientPaths(Path.of("."),
                    Path.of("."))), StreamLinks.PLAIN)),
            JsonMapper.shared(), new JsonRpcDispatcher.Settings(32, false, false, "test"), RpcObserver.NONE);

    @AfterEach
    void close() {
        this.runtime.close();
        this.timer.shutdownNow();
    }

    private StreamSession holdTheNpu() {
        StreamSession running = this.manager
            .start(RunRequest.prompt("HOLD [[sim:prefill_ms=0]][[sim:delay_us=1000]][[sim:tokens=100000]]"), "rpc",
                    Caller.UNIDENTIFIED, null).block()
            .session();
        await().atMost(Simulator.timeout()).until(() -> running.nextSeq() > 0);
        return running;
    }

    private Mono<JsonNode> blockingRun() {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":\"blocked\",\"method\":\"rkllm_run\",\"params\":{\"prompt_input\":"
                + "\"WAITING " + Simulator.FAST.replace("\"", "\\\"") + "\"}}";
        return this.dispatcher.dispatch(body.getBytes(StandardCharsets.UTF_8), new RpcContext("rpc", false))
            .map((reply) -> JsonMapper.shared().<JsonNode>valueToTree(((Json) reply).body()))
            .cache();
    }

    private StreamSession queuedSession() {
        await().atMost(Simulator.timeout()).until(() -> this.manager.findByRequestId(Caller.UNIDENTIFIED,
                "blocked").isPresent());
        StreamSession queued = this.manager.findByRequestId(Caller.UNIDENTIFIED, "blocked").orElseThrow();
        assertThat(queued.state()).isEqualTo(SessionState.QUEUED);
        return queued;
    }

    @Test
    void aRunPastTheQueuesMaxWaitIsQueueFull() {
        StreamSession running = holdTheNpu();
        Mono<JsonNode> answer = blockingRun();
        answer.subscribe();
        queuedSession();

        this.clock.advance(MAX_WAIT.plusSeconds(1));
        this.manager.evictIdle(this.clock.instant());

        JsonNode error = answer.block(Simulator.timeout()).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(-32000);
        assertThat(error.get("message").asString()).contains("rkllm.queue.max-wait");
        this.manager.abort(running);
    }

    @Test
    void aRunWhoseModelWasDestroyedBeforeItStartedIsRuntimeUnavailable() {
        StreamSession running = holdTheNpu();
        Mono<JsonNode> answer = blockingRun();
        answer.subscribe();
        queuedSession();

        this.runtime.destroy();
        this.manager.abort(running);

        JsonNode error = answer.block(Simulator.timeout()).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(-32003);
        assertThat(error.get("message").asString()).startsWith("runtime unavailable: ");
    }

}
