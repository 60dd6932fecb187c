package io.rkllm.gateway.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's {@code redis-server} on a free loopback port with a data directory of its own, for the tests of a class
 * ({@code @RegisterExtension static}); stopped and started again on the same port and directory to test an outage,
 * which loses nothing Redis had answered (every write is in its append-only file before the answer).
 * Where the binary is missing the tests are skipped, except on CI, which installs it ({@code .ci/run}).
 */
public final class RedisServer implements BeforeAllCallback, AfterAllCallback {

    static final Path BINARY = Path.of("/usr/bin/redis-server");

    private @Nullable Path dir;

    private int port;

    private @Nullable Process process;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            if (System.getenv("CI") != null) {
                fail(BINARY + " is missing: .ci/run installs Debian's redis-server");
            }
            assumeTrue(false, BINARY + " is missing (apt-get install redis-server): the cluster tests are skipped");
        }
        this.dir = Files.createTempDirectory("rkllm-redis");
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
        if (this.dir != null) {
            FileSystemUtils.deleteRecursively(this.dir);
        }
    }

    /** Starts the server (again) and waits until it takes connections. */
    public void start() {
        try {
            this.process = new ProcessBuilder(List.of(BINARY.toString(), "--port", Integer.toString(this.port),
                    "--bind", "127.0.0.1", "--dir", String.valueOf(this.dir), "--save", "", "--appendonly", "yes",
                    "--appendfsync", "always",
                    "--daemonize", "no", "--logfile", "redis.log"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        await("redis-server on port " + this.port).atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(20))
            .until(this::accepts);
    }

    /** Stops the server as an outage would (SIGKILL) and waits until it is gone. */
    public void stop() throws InterruptedException {
        Process running = this.process;
        if (running != null) {
            running.destroyForcibly();
            running.waitFor(10, TimeUnit.SECONDS);
            this.process = null;
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + this.port;
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

}
