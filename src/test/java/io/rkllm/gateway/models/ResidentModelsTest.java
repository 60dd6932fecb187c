package io.rkllm.gateway.models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;
import io.rkllm.gateway.observability.RkllmMeterBinder;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.stream.Caller;
import io.rkllm.gateway.stream.MutableClock;
import io.rkllm.gateway.stream.SessionState;
import io.rkllm.gateway.stream.SessionStream;
import io.rkllm.gateway.stream.StatusEvent;
import io.rkllm.gateway.stream.StreamChunk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The resident set on the real simulator, under the stream manager as the service wires them: each model answers with
 * its own text, switches happen in arrival order, several models run at once where allowed, idle models go after
 * their keep-alive, and a model that cannot load (bad file, too little memory, file removed) harms only its own runs.
 */
class ResidentModelsTest {

    private static final Duration FOREVER = Duration.ofMillis(-1);

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();

    private SimModels sim;

    @AfterEach
    void close() throws Exception {
        if (this.sim != null) {
            this.sim.close();
        }
    }

    private SimModels twoModels(int maxResident, Duration keepAlive) {
        return twoModels(maxResident, keepAlive, DataSize.ofBytes(0));
    }

    private SimModels twoModels(int maxResident, Duration keepAlive, DataSize memoryMargin) {
        this.sim = new SimModels(this.dir);
        this.sim.model("alpha", "Alpine meadows glow");
        this.sim.model("beta", "Baltic harbours hum");
        return this.sim.start("alpha", maxResident, keepAlive, memoryMargin, this.clock);
    }

    @Test
    void requestsAlternatingBetweenTwoModelsGetEachModelsText() {
        SimModels sim = twoModels(2, FOREVER);

        for (int round = 0; round < 2; round++) {
            assertThat(SimModels.text(sim.run("alpha", "a" + SimModels.QUICK))).contains("Alpine")
                .doesNotContain("Baltic");
            assertThat(SimModels.text(sim.run("beta", "b" + SimModels.QUICK))).contains("Baltic")
                .doesNotContain("Alpine");
        }
        assertThat(SimModels.text(sim.manager.start(RunRequest.prompt("d" + SimModels.QUICK), "rpc",
                Caller.UNIDENTIFIED, null).block()))
            .as("no model named: the default")
            .contains("Alpine");
        assertThat(sim.status("alpha").state()).isEqualTo(ModelState.READY);
        assertThat(sim.status("beta").state()).isEqualTo(ModelState.READY);
        assertThat(sim.status("beta").baseDomainId()).isNotEqualTo(sim.status("alpha").baseDomainId());
    }

    @Test
    void withOneResidentTheSwitchesFollowTheArrivalOrderAndAreCounted() {
        SimModels sim = twoModels(1, FOREVER);
        ConcurrentLinkedQueue<String> started = new ConcurrentLinkedQueue<>();
        String paced = "[[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=15]]";
        List<String> order = List.of("alpha", "beta", "alpha", "beta");
        List<SessionStream> streams = order.stream().map((model) -> {
            SessionStream stream = sim.run(model, model + paced);
            stream.session().events(-1).ofType(StatusEvent.class)
                .filter((status) -> status.state() == SessionState.RUNNING)
                .subscribe((status) -> started.add(model));
            return stream;
        }).toList();

        for (int i = 0; i < streams.size(); i++) {
            assertThat(SimModels.text(streams.get(i))).contains(order.get(i).equals("alpha") ? "Alpine" : "Baltic");
        }
        assertThat(started).containsExactlyElementsOf(order);
        ModelActivity alpha = activity(sim, "alpha");
        ModelActivity beta = activity(sim, "beta");
        assertThat(alpha.loads()).as("at start, then after beta's first run").isEqualTo(2);
        assertThat(beta.loads()).isEqualTo(2);
        assertThat(alpha.unloads() + beta.unloads()).as("three switches").isEqualTo(3);
        assertThat(sim.models.residentCount()).isEqualTo(1);
    }

    @Test
    void withTwoResidentsBothRunAtOnceOnTheirOwnHandles() {
        SimModels sim = twoModels(2, FOREVER);
        SimModels.text(sim.run("beta", "load" + SimModels.QUICK));
        String slow = "[[sim:prefill_ms=0]][[sim:delay_us=20000]][[sim:tokens=400]]";

        SessionStream alpha = sim.run("alpha", "a" + slow);
        SessionStream beta = sim.run("beta", "b" + slow);

        RkllmRuntime alphaRuntime = sim.models.defaultRuntime();
        await().atMost(Duration.ofSeconds(10)).until(() -> alpha.session().state() == SessionState.RUNNING
                && beta.session().state() == SessionState.RUNNING && alphaRuntime.isRunning()
                && alpha.session().nextSeq() > 2 && beta.session().nextSeq() > 2);
        assertThat(sim.manager.status().queued()).isZero();
        sim.manager.abort(alpha.session());
        sim.manager.abort(beta.session());
        assertThat(SimModels.end(alpha).finishReason()).isEqualTo("aborted");
        assertThat(SimModels.end(beta).finishReason()).isEqualTo("aborted");
    }

    @Test
    void anIdleModelGoesAfterItsKeepAliveAndTheNextRequestLoadsItAgain() {
        SimModels sim = twoModels(2, Duration.ofMinutes(5));
        SimModels.text(sim.run("beta", "b" + SimModels.QUICK));
        Instant used = this.clock.instant();
        await().atMost(Duration.ofSeconds(10)).until(() -> sim.status("beta").runs() == 0);
        assertThat(sim.status("beta").keepAliveUntil()).isEqualTo(used.plus(Duration.ofMinutes(5)));

        this.clock.advance(Duration.ofMinutes(4));
        sim.models.unloadExpired();
        assertThat(sim.status("beta").state()).isEqualTo(ModelState.READY);
        this.clock.advance(Duration.ofMinutes(1));
        sim.models.unloadExpired();
        await().atMost(Duration.ofSeconds(10)).until(() -> sim.status("beta").state() == ModelState.UNLOADED);
        assertThat(sim.status("beta").keepAliveUntil()).isNull();
        assertThat(sim.status("beta").loadedAt()).isNull();

        assertThat(SimModels.text(sim.run("beta", "again" + SimModels.QUICK))).contains("Baltic");
        assertThat(activity(sim, "beta").loads()).isEqualTo(2);
        assertThat(activity(sim, "beta").unloads()).isEqualTo(1);
    }

    @Test
    void aRequestsKeepAliveOfZeroUnloadsTheModelOnceItsRunEnds() {
        SimModels sim = twoModels(2, FOREVER);
        SessionStream stream = sim.manager
            .start(RunRequest.prompt("b" + SimModels.QUICK).forModel("beta", Duration.ZERO), "ollama",
                    Caller.UNIDENTIFIED, null).block();

        assertThat(SimModels.text(stream)).contains("Baltic");
        await().atMost(Duration.ofSeconds(10)).until(() -> sim.status("beta").state() == ModelState.UNLOADED);
        assertThat(sim.status("alpha").state()).isEqualTo(ModelState.READY);
    }

    @Test
    void requestsForAModelThatIsLoadingSeeLoadingThenRun() {
        this.sim = new SimModels(this.dir);
        this.sim.model("alpha", "Alpine meadows glow");
        this.sim.model("slow", "Slowly loading", "load_ms=300");
        this.sim.start("alpha", 2, FOREVER, DataSize.ofMegabytes(0), this.clock);

        SessionStream first = this.sim.run("slow", "1" + SimModels.QUICK);
        SessionStream second = this.sim.run("slow", "2" + SimModels.QUICK);

        assertThat(first.session().loading()).isTrue();
        assertThat(this.sim.status("slow").state()).isEqualTo(ModelState.LOADING);
        assertThat(this.sim.status("slow").runs()).isEqualTo(2);
        List<StatusEvent> statuses = second.events().ofType(StatusEvent.class).take(3)
            .collectList().block(Duration.ofSeconds(10));
        assertThat(statuses).containsExactly(new StatusEvent(SessionState.QUEUED, null, true),
                new StatusEvent(SessionState.QUEUED, 1), new StatusEvent(SessionState.RUNNING, null));
        assertThat(SimModels.text(first)).contains("Slowly");
        assertThat(this.sim.status("slow").loadMs()).isGreaterThanOrEqualTo(300);
    }

    @Test
    void aModelThatFailsToLoadFailsOnlyItsOwnRequests() {
        SimModels sim = twoModels(2, FOREVER);
        sim.write("broken.rkllm", "not a simulator model\n");

        StreamChunk end = SimModels.end(sim.run("broken", "x" + SimModels.QUICK));

        assertThat(end.finishReason()).isEqualTo("error");
        assertThat(end.error().code()).isEqualTo(ErrorCode.RUNTIME_UNAVAILABLE.code());
        assertThat(end.error().message()).contains("broken.rkllm");
        assertThat(sim.status("broken").state()).isEqualTo(ModelState.FAILED);
        assertThatThrownBy(() -> sim.run("broken", "again"))
            .as("refused at once until the file changes")
            .isInstanceOfSatisfying(GatewayException.class,
                    (ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.RUNTIME_UNAVAILABLE));
        assertThat(SimModels.text(sim.run("beta", "b" + SimModels.QUICK))).contains("Baltic");
        assertThat(SimModels.text(sim.run("alpha", "a" + SimModels.QUICK))).contains("Alpine");
        assertThat(activity(sim, "broken").failedLoads()).isEqualTo(1);
    }

    @Test
    void theMemoryGuardRefusesAModelTooLargeForTheAvailableMemoryAndSaysWhy() {
        SimModels sim = twoModels(2, FOREVER, DataSize.ofMegabytes(1));
        sim.writeMeminfo(100);

        StreamChunk end = SimModels.end(sim.run("beta", "b" + SimModels.QUICK));

        assertThat(end.error().code()).isEqualTo(ErrorCode.RUNTIME_UNAVAILABLE.code());
        assertThat(end.error().message()).contains("not enough memory to load model beta")
            .contains("plus rkllm.models.memory-margin, 1024 KiB) but 100 KiB are available");
        assertThat(sim.status("beta").state()).as("memory may be free later").isEqualTo(ModelState.UNLOADED);
        assertThat(sim.status("beta").reason()).contains("not enough memory");
        sim.writeMeminfo(64L * 1024 * 1024);
        assertThat(SimModels.text(sim.run("beta", "b" + SimModels.QUICK))).contains("Baltic");
    }

    @Test
    void removingAResidentModelsFileCrashesNothing() throws Exception {
        SimModels sim = twoModels(2, FOREVER);
        String slow = "[[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=60]]";
        SessionStream running = sim.run("beta", "b" + slow);
        await().atMost(Duration.ofSeconds(10)).until(() -> running.session().state() == SessionState.RUNNING);

        Files.delete(this.dir.resolve("beta.rkllm"));
        sim.catalogue.rescan();

        assertThat(SimModels.text(running)).as("the run in progress ends as usual").contains("Baltic");
        assertThatThrownBy(() -> sim.run("beta", "b")).isInstanceOfSatisfying(GatewayException.class,
                (ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.INVALID_PARAMS));
        sim.models.unloadExpired();
        await().atMost(Duration.ofSeconds(10)).until(() -> sim.models.residentCount() == 1);
        assertThat(sim.models.status().models()).extracting(ModelStatus::id).containsExactly("alpha");
        assertThat(SimModels.text(sim.run("alpha", "a" + SimModels.QUICK))).contains("Alpine");
    }

    @Test
    void theMetersCountLoadsUnloadsResidentsAndTokensByModel() {
        SimModels sim = twoModels(1, FOREVER);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new RkllmMeterBinder(sim.manager, sim.metrics, sim.models).bindTo(registry);

        SimModels.text(sim.run("beta", "b" + SimModels.QUICK));
        SimModels.text(sim.run("alpha", "a" + SimModels.QUICK));

        assertThat(registry.get("rkllm.model.loads").tags("model", "alpha", "outcome", "success").functionCounter()
            .count()).isEqualTo(2);
        assertThat(registry.get("rkllm.model.loads").tags("model", "beta", "outcome", "success").functionCounter()
            .count()).isEqualTo(1);
        assertThat(registry.get("rkllm.model.unloads").tags("model", "beta").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("rkllm.model.load.duration").tags("model", "beta").functionTimer().count())
            .isEqualTo(1);
        assertThat(registry.get("rkllm.models.resident").gauge().value()).isEqualTo(1);
        assertThat(registry.get("rkllm.tokens").tags("model", "beta").functionCounter().count()).isEqualTo(12);
        assertThat(registry.get("rkllm.tokens").tags("model", "alpha").functionCounter().count()).isEqualTo(12);
        assertThat(registry.get("rkllm.ttft").tags("model", "beta").timer().count()).isEqualTo(1);
    }

    private static ModelActivity activity(SimModels sim, String id) {
        ModelActivity[] found = new ModelActivity[1];
        sim.models.onActivity((activity) -> {
            if (activity.model().equals(id)) {
                found[0] = activity;
            }
        });
        return found[0];
    }

}
