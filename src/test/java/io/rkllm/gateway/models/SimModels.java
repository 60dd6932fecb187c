package io.rkllm.gateway.models;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.rkllm.gateway.config.ModelsProperties;
import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.config.StreamsProperties;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import io.rkllm.gateway.nativebridge.CallbackObserver;
import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.nativebridge.RuntimeLibrary;
import io.rkllm.gateway.nativebridge.Simulator;
import io.rkllm.gateway.observability.RkllmMetrics;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.SessionStream;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamManager;
import org.springframework.util.unit.DataSize;

import static org.awaitility.Awaitility.await;

/**
 * A model directory of simulator models, each with a corpus of its own, and the resident set and stream manager over
 * it, as the service builds them; closed after each test.
 */
final class SimModels implements AutoCloseable {

    /** Markers for a run that is quick yet not instant: a few tokens at full speed. */
    static final String QUICK = "[[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=12]]";

    final Path dir;

    final Path meminfo;

    private final List<AutoCloseable> open = new ArrayList<>();

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    ResidentModels models;

    ModelCatalogue catalogue;

    StreamManager manager;

    /** The meters' hooks the stream manager reports to. */
    final RkllmMetrics metrics = new RkllmMetrics();

    SimModels(Path dir) {
        this.dir = dir;
        this.meminfo = dir.resolve("meminfo");
        writeMeminfo(64L * 1024 * 1024);
    }

    /** A simulator model {@code id}.rkllm whose corpus is {@code corpus} repeated, with header {@code keys}. */
    Path model(String id, String corpus, String... keys) {
        return SimModelFiles.model(this.dir, id, corpus, keys);
    }

    Path write(String name, String text) {
        return SimModelFiles.write(this.dir, name, text);
    }

    /** What {@code /proc/meminfo} says is available, in kB. */
    void writeMeminfo(long availableKb) {
        write("meminfo", "MemTotal:       16000000 kB\nMemAvailable:   " + availableKb + " kB\n");
    }

    /** Starts the resident set (loading the default model {@code defaultId}) and a stream manager over it. */
    SimModels start(String defaultId, int maxResident, Duration keepAlive, DataSize margin, Clock clock) {
        String defaultPath = this.dir.resolve(defaultId + ".rkllm").toString();
        this.catalogue = new ModelCatalogue(this.dir, defaultPath, clock, Duration.ofSeconds(5));
        this.models = new ResidentModels(RuntimeLibrary.load(Simulator.library(AbiGeneration.V1_3), "auto"),
                this.catalogue, ModelParams.forModel(defaultPath),
                new ModelsProperties(maxResident, keepAlive, margin, this.meminfo, Duration.ofSeconds(5)), clock,
                CallbackObserver.NONE);
        this.open.add(this.models);
        this.manager = new StreamManager(this.models, new StreamsProperties(256, 4096, Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofSeconds(15)), new QueueProperties(16, Duration.ofMinutes(2)), clock,
                this.metrics, this.timer);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(defaultId).state() == ModelState.READY);
        return this;
    }

    SessionStream run(String model, String prompt) {
        return this.manager.start(RunRequest.prompt(prompt).forModel(model, null), "rpc", Caller.UNIDENTIFIED, null)
            .block();
    }

    /** The whole text of a stream, once it has ended. */
    static String text(SessionStream stream) {
        StringBuilder text = new StringBuilder();
        stream.events().ofType(StreamChunk.class).doOnNext((chunk) -> text.append(chunk.delta()))
            .filter(StreamChunk::end)
            .blockFirst(Duration.ofSeconds(20));
        return text.toString();
    }

    /** The end chunk of a stream. */
    static StreamChunk end(SessionStream stream) {
        return stream.session().end().orTimeout(20, TimeUnit.SECONDS).join();
    }

    ModelStatus status(String id) {
        return this.models.status(id);
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable closeable : this.open) {
            closeable.close();
        }
        this.timer.shutdownNow();
    }

}
