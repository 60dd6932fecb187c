import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Many SSE subscribers ({@code GET /streams/<id>}) on raw sockets, all read by one selector thread, so a thousand
 * subscribers cost the client one thread. Each connection decodes HTTP/1.1 chunked framing and splits the body into
 * SSE lines; it notes when its first {@code event: status} arrived (subscribed), counts chunks, and for a chunk whose
 * delta is a simulator stamp {@code t=<ns>;} records receive time minus stamp, the receive time being
 * {@link System#nanoTime()} right after the read that brought the bytes.
 */
final class SseFanout implements AutoCloseable {

    private final Selector selector = Selector.open();

    private final List<Connection> connections = new ArrayList<>();

    private final CountDownLatch subscribed;

    private final CountDownLatch ended;

    private final Thread reader;

    private volatile boolean closing;

    /** Latencies in ns of every stamped chunk of every connection; written by the reader thread only. */
    private long[] latencies = new long[1024];

    private int latencyCount;

    private volatile String failure;

    /** Opens one subscriber per path (paths may repeat), sends the requests, then starts reading. */
    SseFanout(int port, List<String> paths) throws IOException {
        this.subscribed = new CountDownLatch(paths.size());
        this.ended = new CountDownLatch(paths.size());
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        for (String path : paths) {
            SocketChannel channel = SocketChannel.open(server);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            channel.configureBlocking(false);
            Connection connection = new Connection(channel);
            channel.register(this.selector, SelectionKey.OP_READ, connection);
            this.connections.add(connection);
        }
        this.reader = new Thread(this::readLoop, "sse-fanout-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Waits until every subscriber has its first status event, i.e. is subscribed to the session. */
    void awaitSubscribed(long timeoutMs) throws InterruptedException {
        await(this.subscribed, timeoutMs, "subscribed");
    }

    /** Waits until every subscriber has read the end chunk. */
    void awaitEnded(long timeoutMs) throws InterruptedException {
        await(this.ended, timeoutMs, "received the end chunk");
    }

    private void await(CountDownLatch latch, long timeoutMs, String what) throws InterruptedException {
        if (!latch.await(timeoutMs, TimeUnit.MILLISECONDS) || this.failure != null) {
            throw new IllegalStateException(latch.getCount() + " of " + this.connections.size()
                    + " subscribers not " + what + " within " + timeoutMs + " ms"
                    + ((this.failure != null) ? "; " + this.failure : ""));
        }
    }

    /** The connections, for their counters; read them after {@link #awaitEnded}. */
    List<Connection> connections() {
        return this.connections;
    }

    /** The latency samples (ns); call after {@link #awaitEnded}. The array is sorted in place by percentile(). */
    long[] latencies() {
        return Arrays.copyOf(this.latencies, this.latencyCount);
    }

    @Override
    public void close() throws IOException {
        this.closing = true;
        this.selector.wakeup();
        try {
            this.reader.join(10_000);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        for (Connection connection : this.connections) {
            connection.channel.close();
        }
        this.selector.close();
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        byte[] bytes = new byte[buffer.capacity()];
        try {
            while (!this.closing) {
                this.selector.select(100);
                for (SelectionKey key : this.selector.selectedKeys()) {
                    Connection connection = (Connection) key.attachment();
                    buffer.clear();
                    int count = connection.channel.read(buffer);
                    long now = System.nanoTime();
                    if (count < 0) {
                        key.cancel();
                        connection.closedByServer();
                        continue;
                    }
                    buffer.flip();
                    buffer.get(bytes, 0, count);
                    connection.received(bytes, count, now);
                }
                this.selector.selectedKeys().clear();
            }
        }
        catch (IOException | RuntimeException ex) {
            if (!this.closing) {
                fail(ex.toString());
            }
        }
    }

    private void fail(String message) {
        this.failure = message;
        while (this.subscribed.getCount() > 0) {
            this.subscribed.countDown();
        }
        while (this.ended.getCount() > 0) {
            this.ended.countDown();
        }
    }

    private void addLatency(long nanos) {
        if (this.latencyCount == this.latencies.length) {
            this.latencies = Arrays.copyOf(this.latencies, this.latencies.length * 2);
        }
        this.latencies[this.latencyCount++] = nanos;
    }

    /** One subscriber: response head, chunked framing, SSE lines, and what they said. */
    final class Connection {

        private static final byte[] HEAD_END = { '\r', '\n', '\r', '\n' };

        private final SocketChannel channel;

        private boolean inHead = true;

        private int headMatched;

        private final StringBuilder head = new StringBuilder();

        /** Bytes left of the current HTTP chunk; -1 while reading a chunk-size line. */
        private long chunkLeft = -1;

        private long chunkSize;

        private boolean bodyDone;

        private byte[] line = new byte[512];

        private int lineLength;

        private String event = "";

        private boolean isSubscribed;

        private boolean hasEnded;

        /** Chunk events read, the end chunk included. */
        long chunks;

        long firstChunkNanos;

        long endNanos;

        /** Lines of {@code event: error}. */
        int errors;

        /** The data line of the end chunk. */
        String endLine = "";

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        void received(byte[] bytes, int count, long now) {
            int i = 0;
            if (this.inHead) {
                i = readHead(bytes, count);
            }
            while (i < count && !this.bodyDone) {
                if (this.chunkLeft < 0) {
                    i = readChunkSize(bytes, i, count);
                }
                else if (this.chunkLeft > 0) {
                    int n = (int) Math.min(this.chunkLeft, count - i);
                    for (int end = i + n; i < end; i++) {
                        body(bytes[i], now);
                    }
                    this.chunkLeft -= n;
                }
                else {
                    // The CRLF after a chunk's data.
                    if (bytes[i++] == '\n') {
                        this.chunkLeft = -1;
                    }
                }
            }
        }

        void closedByServer() {
            if (!this.hasEnded) {
                fail("the server closed a stream before its end chunk (head: " + this.head.toString().trim() + ")");
            }
        }

        private int readHead(byte[] bytes, int count) {
            for (int i = 0; i < count; i++) {
                this.head.append((char) bytes[i]);
                this.headMatched = (bytes[i] == HEAD_END[this.headMatched]) ? this.headMatched + 1
                        : (bytes[i] == '\r') ? 1 : 0;
                if (this.headMatched == HEAD_END.length) {
                    this.inHead = false;
                    if (!this.head.toString().startsWith("HTTP/1.1 200")) {
                        fail("stream refused: " + this.head.toString().trim());
                    }
                    return i + 1;
                }
            }
            return count;
        }

        private int readChunkSize(byte[] bytes, int i, int count) {
            for (; i < count; i++) {
                byte b = bytes[i];
                if (b == '\n') {
                    this.chunkLeft = this.chunkSize;
                    this.bodyDone = this.chunkSize == 0;
                    this.chunkSize = 0;
                    return i + 1;
                }
                int digit = Character.digit(b, 16);
                if (digit >= 0) {
                    this.chunkSize = this.chunkSize * 16 + digit;
                }
            }
            return i;
        }

        private void body(byte b, long now) {
            if (b != '\n') {
                if (this.lineLength == this.line.length) {
                    this.line = Arrays.copyOf(this.line, this.line.length * 2);
                }
                this.line[this.lineLength++] = b;
                return;
            }
            sseLine(now);
            this.lineLength = 0;
        }

        private void sseLine(long now) {
            if (this.lineLength == 0) {
                this.event = "";
            }
            else if (startsWith("event:")) {
                this.event = new String(this.line, 6, this.lineLength - 6, StandardCharsets.US_ASCII).trim();
                if (this.event.equals("error")) {
                    this.errors++;
                }
            }
            else if (startsWith("data:")) {
                data(now);
            }
        }

        private void data(long now) {
            switch (this.event) {
                case "status" -> {
                    if (!this.isSubscribed) {
                        this.isSubscribed = true;
                        SseFanout.this.subscribed.countDown();
                    }
                }
                case "chunk" -> {
                    if (this.chunks++ == 0) {
                        this.firstChunkNanos = now;
                    }
                    long stamp = stamp();
                    if (stamp > 0) {
                        addLatency(now - stamp);
                    }
                    if (indexOf("\"end\":true") >= 0 && !this.hasEnded) {
                        this.hasEnded = true;
                        this.endNanos = now;
                        this.endLine = new String(this.line, 0, this.lineLength, StandardCharsets.UTF_8);
                        SseFanout.this.ended.countDown();
                    }
                }
                default -> {
                }
            }
        }

        /** The ns of a {@code "delta":"t=<ns>;"}, or 0 when the delta is not a stamp. */
        private long stamp() {
            int at = indexOf("\"delta\":\"t=");
            if (at < 0) {
                return 0;
            }
            long value = 0;
            for (int i = at + 11; i < this.lineLength && this.line[i] != ';'; i++) {
                value = value * 10 + (this.line[i] - '0');
            }
            return value;
        }

        private boolean startsWith(String prefix) {
            return matchesAt(0, prefix);
        }

        private int indexOf(String text) {
            for (int i = 0; i + text.length() <= this.lineLength; i++) {
                if (matchesAt(i, text)) {
                    return i;
                }
            }
            return -1;
        }

        private boolean matchesAt(int at, String text) {
            if (at + text.length() > this.lineLength) {
                return false;
            }
            for (int j = 0; j < text.length(); j++) {
                if (this.line[at + j] != text.charAt(j)) {
                    return false;
                }
            }
            return true;
        }

    }

}
