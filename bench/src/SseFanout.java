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

import org.jspecify.annotations.Nullable;

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

        private static final byte[] EVENT = "event:".getBytes(StandardCharsets.US_ASCII);

        private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

        private static final byte[] CHUNK = "chunk".getBytes(StandardCharsets.US_ASCII);

        private static final byte[] STATUS = "status".getBytes(StandardCharsets.US_ASCII);

        private static final byte[] ERROR = "error".getBytes(StandardCharsets.US_ASCII);

        private static final byte[][] NAMES = { CHUNK, STATUS, ERROR };

        private static final byte[] STAMP = "\"delta\":\"t=".getBytes(StandardCharsets.US_ASCII);

        private static final byte[] END = "\"end\":true".getBytes(StandardCharsets.US_ASCII);

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

        /** The current event's name: {@link #CHUNK}, {@link #STATUS}, {@link #ERROR} or null (any other). */
        private byte @Nullable [] event;

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
                    body(bytes, i, i + n, now);
                    i += n;
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

        /** Body bytes {@code from} to {@code to}: appended to the current line, which ends at each newline. */
        private void body(byte[] bytes, int from, int to, long now) {
            int start = from;
            for (int i = from; i < to; i++) {
                if (bytes[i] == '\n') {
                    append(bytes, start, i);
                    sseLine(now);
                    this.lineLength = 0;
                    start = i + 1;
                }
            }
            append(bytes, start, to);
        }

        private void append(byte[] bytes, int from, int to) {
            int n = to - from;
            if (this.lineLength + n > this.line.length) {
                this.line = Arrays.copyOf(this.line, Math.max(this.line.length * 2, this.lineLength + n));
            }
            System.arraycopy(bytes, from, this.line, this.lineLength, n);
            this.lineLength += n;
        }

        private void sseLine(long now) {
            if (this.lineLength == 0) {
                this.event = null;
            }
            else if (matchesAt(0, EVENT)) {
                this.event = eventName();
                if (this.event == ERROR) {
                    this.errors++;
                }
            }
            else if (matchesAt(0, DATA)) {
                data(now);
            }
        }

        /** The event line's name, as one of the names this client tells apart (null for any other). */
        private byte @Nullable [] eventName() {
            int from = EVENT.length;
            while (from < this.lineLength && this.line[from] == ' ') {
                from++;
            }
            for (byte[] name : NAMES) {
                if (Arrays.equals(this.line, from, this.lineLength, name, 0, name.length)) {
                    return name;
                }
            }
            return null;
        }

        private void data(long now) {
            if (this.event == STATUS && !this.isSubscribed) {
                this.isSubscribed = true;
                SseFanout.this.subscribed.countDown();
            }
            else if (this.event == CHUNK) {
                if (this.chunks++ == 0) {
                    this.firstChunkNanos = now;
                }
                long stamp = stamp();
                if (stamp > 0) {
                    addLatency(now - stamp);
                }
                if (!this.hasEnded && indexOf(END) >= 0) {
                    this.hasEnded = true;
                    this.endNanos = now;
                    this.endLine = new String(this.line, 0, this.lineLength, StandardCharsets.UTF_8);
                    SseFanout.this.ended.countDown();
                }
            }
        }

        /** The ns of a {@code "delta":"t=<ns>;"}, or 0 when the delta is not a stamp. */
        private long stamp() {
            int at = indexOf(STAMP);
            if (at < 0) {
                return 0;
            }
            long value = 0;
            for (int i = at + STAMP.length; i < this.lineLength && this.line[i] != ';'; i++) {
                value = value * 10 + (this.line[i] - '0');
            }
            return value;
        }

        private int indexOf(byte[] text) {
            byte first = text[0];
            for (int i = 0, last = this.lineLength - text.length; i <= last; i++) {
                if (this.line[i] == first && matchesAt(i, text)) {
                    return i;
                }
            }
            return -1;
        }

        private boolean matchesAt(int at, byte[] text) {
            if (at + text.length > this.lineLength) {
                return false;
            }
            for (int j = 1; j < text.length; j++) {
                if (this.line[at + j] != text[j]) {
                    return false;
                }
            }
            return this.line[at] == text[0];
        }

    }

}
