package io.rkllm.gateway.stream;

import java.time.Duration;

import org.springframework.context.SmartLifecycle;

/**
 * On shutdown (SIGTERM), before the web server drains its connections: stop taking runs and end every live stream
 * with its end chunk, so that SSE responses complete instead of holding the graceful shutdown open. The runtime bean
 * is destroyed after this, in the order the NPU needs: abort, wait for {@code rkllm_run}, destroy.
 */
public class StreamShutdown implements SmartLifecycle {

    /** Stops before the web server's graceful shutdown, which stops in a lower phase. */
    public static final int PHASE = Integer.MAX_VALUE;

    private final StreamManager manager;

    private final Duration grace;

    private volatile boolean running;

    public StreamShutdown(StreamManager manager, Duration grace) {
        this.manager = manager;
        this.grace = grace;
    }

    @Override
    public void start() {
        // A stopped context may be started again (a paused test context, a CRaC restore): take runs again.
        this.manager.reopen();
        this.running = true;
    }

    @Override
    public void stop() {
        this.manager.shutdown(this.grace);
        this.running = false;
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

}
