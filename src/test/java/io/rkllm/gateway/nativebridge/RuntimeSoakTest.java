package io.rkllm.gateway.nativebridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Many runs and aborts on one runtime leave no threads, no native allocations and little memory behind. */
class RuntimeSoakTest {

    private static final Logger logger = LoggerFactory.getLogger(RuntimeSoakTest.class);

    private static final int SHORT_RUNS = 1_000;

    private static final int ABORTED_RUNS = 10;

    private static final String CALLBACK_THREAD = "rkllm-callback";

    /** The runtime's own threads: {@code rkllm-worker} and {@code rkllm-callback}. */
    private static final String RKLLM_THREADS = "rkllm-";

    /** Threads the JVM may add or retire meanwhile (compiler, GC, schedulers); a leak here comes in hundreds. */
    private static final int THREAD_MARGIN = 4;

    private static final long RSS_GROWTH_LIMIT_KB = 64 * 1024;

    private static final Duration SETTLE = Duration.ofSeconds(10);

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void thousandRunsThenRandomAbortsLeaveNoThreadsNoSimulatorAllocationsAndLittleMemory(AbiGeneration abi) {
        long allocationsBefore = Simulator.liveAllocations(abi);
        System.gc();
        Snapshot before = Snapshot.take();

        RkllmRuntime runtime = Simulator.open(abi);
        try {
            assertThat(runtime.status().ready()).isTrue();
            for (int i = 0; i < SHORT_RUNS; i++) {
                RunRequest request = RunRequest.prompt("x" + Simulator.FAST + "[[sim:tokens=3]]");
                RunResult result = runtime.submit(request, new CollectingListener())
                        .result()
                        .orTimeout(10, TimeUnit.SECONDS)
                        .join();
                assertThat(result.finishReason()).as("run %d", i).isEqualTo(FinishReason.STOP);
                assertThat(result.tokens()).as("run %d", i).isEqualTo(3);
            }
            await().atMost(SETTLE).until(() -> threadsNamed(CALLBACK_THREAD) == 0);

            Random random = new Random(20_240_611L + abi.ordinal());
            for (int i = 0; i < ABORTED_RUNS; i++) {
                int abortAfter = random.nextInt(51);
                CollectingListener listener = new CollectingListener();
                NativeRun run = runtime.submit(
                        RunRequest.prompt("x[[sim:prefill_ms=0]][[sim:delay_us=200]][[sim:tokens=100000]]"), listener);
                await().atMost(SETTLE).until(() -> listener.tokens() >= abortAfter);
                assertThat(run.abort()).as("aborted run %d", i).isTrue();
                RunResult result = run.result().orTimeout(5, TimeUnit.SECONDS).join();
                assertThat(result.finishReason()).as("aborted run %d", i).isEqualTo(FinishReason.ABORTED);
                assertThat(result.tokens()).as("aborted run %d", i).isBetween(abortAfter, 100_000 - 1);
            }
        }
        finally {
            runtime.close();
        }

        assertThat(runtime.status().state()).isEqualTo(RuntimeStatus.State.CLOSED);
        await().atMost(SETTLE).pollInSameThread().untilAsserted(() -> {
            Snapshot now = Snapshot.take();
            assertThat(now.callbackThreads()).as("%s threads alive", CALLBACK_THREAD).isZero();
            assertThat(now.startedSince(before)).as("rkllm threads started since the baseline and still alive")
                    .noneMatch((thread) -> thread.getName().startsWith(RKLLM_THREADS));
            assertThat(now.javaThreads()).as("Java threads").isLessThanOrEqualTo(before.javaThreads() + THREAD_MARGIN);
            assertThat(now.osThreads()).as("OS threads").isLessThanOrEqualTo(before.osThreads() + THREAD_MARGIN);
            assertThat(Simulator.liveAllocations(abi)).as("simulator allocations").isEqualTo(allocationsBefore);
        });
        System.gc();
        Snapshot after = Snapshot.take();
        logger.info("Soak {} ({} runs + {} aborted): Java threads {} -> {}, OS threads {} -> {}, RSS {} kB -> {} kB "
                + "({} kB), simulator allocations {} -> {}", abi.label(), SHORT_RUNS, ABORTED_RUNS,
                before.javaThreads(), after.javaThreads(), before.osThreads(), after.osThreads(), before.rssKb(),
                after.rssKb(), after.rssKb() - before.rssKb(), allocationsBefore, Simulator.liveAllocations(abi));
        assertThat(after.rssKb() - before.rssKb()).as("RSS growth in kB").isLessThan(RSS_GROWTH_LIMIT_KB);
        // Until here, so that a worker the runtime failed to stop is not stopped by the GC finalising its executor.
        Reference.reachabilityFence(runtime);
    }

    @Test
    void callbackThreadIsAttachedDuringARunAndGoneOnceTheRunsPthreadHasExited() {
        try (RkllmRuntime runtime = Simulator.open(AbiGeneration.V1_3)) {
            CollectingListener listener = new CollectingListener();
            NativeRun run = runtime.submit(
                    RunRequest.prompt("x[[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=100000]]"), listener);
            await().atMost(SETTLE).until(() -> listener.tokens() > 0);

            assertThat(listener.threads()).containsExactly(CALLBACK_THREAD);
            assertThat(threadsNamed(CALLBACK_THREAD)).isEqualTo(1);
            assertThat(Stream.of(threadMXBean().getThreadInfo(threadMXBean().getAllThreadIds()))
                    .filter((info) -> info != null && info.getThreadName().equals(CALLBACK_THREAD))
                    .allMatch((info) -> info.isDaemon())).as("callback thread is a daemon").isTrue();

            run.abort();
            run.result().orTimeout(5, TimeUnit.SECONDS).join();

            await().atMost(SETTLE).until(() -> threadsNamed(CALLBACK_THREAD) == 0);
        }
    }

    private static long threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter((thread) -> thread.getName().equals(name)).count();
    }

    private static ThreadMXBean threadMXBean() {
        return ManagementFactory.getThreadMXBean();
    }

    /** What the process holds at one moment. */
    private record Snapshot(int javaThreads, long osThreads, long rssKb, long callbackThreads, Set<Thread> alive) {

        static Snapshot take() {
            return new Snapshot(threadMXBean().getThreadCount(), osThreadCount(), currentRssKb(),
                    threadsNamed(CALLBACK_THREAD), Set.copyOf(Thread.getAllStackTraces().keySet()));
        }

        /** The threads alive now that were not alive at {@code baseline}. */
        List<Thread> startedSince(Snapshot baseline) {
            return this.alive.stream().filter((thread) -> !baseline.alive.contains(thread)).toList();
        }

        private static long osThreadCount() {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                return tasks.count();
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        private static long currentRssKb() {
            try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
                String line = lines.filter((l) -> l.startsWith("VmRSS:")).findFirst().orElseThrow();
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

    }

}
