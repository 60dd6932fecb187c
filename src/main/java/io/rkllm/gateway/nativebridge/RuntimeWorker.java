package io.rkllm.gateway.nativebridge;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that makes every call needing the model handle, in submission order, so the handle is never used by
 * two threads and a blocking {@code rkllm_run} holds up nobody else (vlcj's task executor plays this part). Whatever
 * it is given ends: a task that throws, even an {@link Error}, fails its future, and a task the worker never runs
 * (shut down first) is told so.
 */
final class RuntimeWorker {

    private static final Logger logger = LoggerFactory.getLogger(RuntimeWorker.class);

    /** How long the thread outlives its last task: a runtime whose model is unloaded keeps no thread. */
    private static final Duration IDLE_THREAD = Duration.ofSeconds(30);

    /** At most one thread, so tasks still run one at a time and in order whether or not it timed out in between. */
    private final ThreadPoolExecutor executor = idleTimingOut(new ThreadPoolExecutor(1, 1, IDLE_THREAD.toMillis(),
            TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), (task) -> {
                Thread thread = new Thread(task, "rkllm-worker");
                thread.setDaemon(true);
                return thread;
            }));

    private static ThreadPoolExecutor idleTimingOut(ThreadPoolExecutor executor) {
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** Runs {@code work} on the worker; the future completes with its value or with whatever it threw. */
    <T> CompletableFuture<T> call(Supplier<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        execute(() -> done.complete(work.get()), done::completeExceptionally);
        return done;
    }

    /**
     * Runs {@code task} on the worker. When it throws, or is never run because the worker was shut down first,
     * {@code failed} is told why.
     */
    void execute(Runnable task, Consumer<Throwable> failed) {
        Task wrapped = new Task(task, failed);
        try {
            this.executor.execute(wrapped);
        }
        catch (RejectedExecutionException ex) {
            wrapped.drop();
        }
    }

    /**
     * Runs {@code last} after every task queued before it, then stops the worker. A task still queued after
     * {@code timeout} (the one running did not return) is dropped and told so.
     */
    void shutdown(Runnable last, Duration timeout) {
        try {
            call(() -> {
                last.run();
                return null;
            }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException | TimeoutException ex) {
            logger.error("RKLLM runtime did not shut down cleanly", ex);
        }
        for (Runnable dropped : this.executor.shutdownNow()) {
            ((Task) dropped).drop();
        }
    }

    /** A task that reports how it failed to whoever waits for it. */
    private record Task(Runnable work, Consumer<Throwable> failed) implements Runnable {

        @Override
        public void run() {
            try {
                this.work.run();
            }
            catch (Throwable ex) {
                this.failed.accept(ex);
            }
        }

        void drop() {
            this.failed.accept(new RuntimeUnavailableException("the runtime was closed"));
        }

    }

}
