import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measurement 3's floor, in process, no service: a stamp every 1 ms in a chunk event framed as the service frames it
 * (HTTP/1.1 chunked, SSE), written straight to every subscriber's socket by the thread that made it, read by 3's own
 * client ({@link SseFanout}) on the same machine. Nothing can deliver sooner: what 3 shows above this is what
 * the service adds, and this is what loopback sockets and the client cost on this machine.
 *
 * <p>The pace rows' floor is the same writer as a server of its own ({@code serve}), a process beside the service
 * that the client measures exactly as it measures the service (its CPU time from {@code /proc} included): a group of
 * subscribers asks {@code GET /floor?subscribers=<n>&tokens=<t>&delay_us=<d>}, and once all {@code n} are connected
 * the floor writes them {@code t} stamped tokens, sleeping {@code d} µs before each as the simulator does, so that
 * the writer thread and the client wake up from idle for every token as they do against the service.
 *
 * <p>Usage: {@code FanoutFloor full|smoke}, with 3's sizes; {@code FanoutFloor serve}: prints
 * {@code floor listening on <port>}, then serves groups until it is killed.
 */
public final class FanoutFloor {

    private static final String RESPONSE_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";

    private FanoutFloor() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("serve")) {
            serve();
            return;
        }
        Service.Sizes sizes = Service.sizes(args[0]);
        long tokens = sizes.latencyTokens();
        for (int subscribers : sizes.latencySubscribers()) {
            Stats.log("fan-out floor: %d subscriber(s), %d stamped tokens at 1 ms", subscribers, tokens);
            sizes.repeat((reported) -> {
                long[] samples = run(subscribers, tokens);
                if (reported) {
                    String key = "floor.fanout." + subscribers + ".";
                    Stats.result(key + "p50_ms", Stats.percentile(samples, samples.length, 50) / 1e6);
                    Stats.result(key + "p99_ms", Stats.percentile(samples, samples.length, 99) / 1e6);
                }
            });
        }
    }

    private static long[] run(int subscribers, long tokens) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), subscribers);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            FutureTask<List<SocketChannel>> accepting = new FutureTask<>(() -> accept(server, subscribers));
            new Thread(accepting, "fanout-floor-accept").start();
            List<SocketChannel> accepted = List.of();
            try (SseFanout fanout = new SseFanout(port, Collections.nCopies(subscribers, "/floor"))) {
                accepted = accepting.get(60, TimeUnit.SECONDS);
                fanout.awaitSubscribed(60_000);
                emit(accepted, tokens, 1_000_000);
                fanout.awaitEnded(600_000);
                long[] samples = fanout.latencies();
                if (samples.length != subscribers * tokens) {
                    throw new IllegalStateException(samples.length + " stamped chunks read, expected "
                            + subscribers * tokens);
                }
                return samples;
            }
            finally {
                for (SocketChannel channel : accepted) {
                    channel.close();
                }
            }
        }
    }

    /** Accepts the subscribers, reads each request and answers with the head and a first status event. */
    private static List<SocketChannel> accept(ServerSocketChannel server, int subscribers) throws IOException {
        List<SocketChannel> accepted = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            accepted.add(acceptOne(server).channel());
        }
        return accepted;
    }

    /**
     * The pace rows' floor as a server: each group's first request names its size and pace; the rest of the group is
     * accepted, written its tokens, and closed.
     */
    private static void serve() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            System.out.println("floor listening on " + ((InetSocketAddress) server.getLocalAddress()).getPort());
            System.out.flush();
            while (true) {
                List<SocketChannel> group = new ArrayList<>();
                try {
                    Accepted first = acceptOne(server);
                    group.add(first.channel());
                    String head = first.head();
                    int subscribers = (int) parameter(head, "subscribers");
                    while (group.size() < subscribers) {
                        group.add(acceptOne(server).channel());
                    }
                    emit(group, parameter(head, "tokens"), parameter(head, "delay_us") * 1000);
                }
                catch (IOException | RuntimeException ex) {
                    System.err.println("fan-out floor: a group failed: " + ex);
                }
                finally {
                    for (SocketChannel channel : group) {
                        channel.close();
                    }
                }
            }
        }
    }

    /** A subscriber accepted and answered, and the head of its request. */
    private record Accepted(SocketChannel channel, String head) {
    }

    private static long parameter(String head, String name) {
        Matcher m = Pattern.compile("[?&]" + name + "=([0-9]+)").matcher(head);
        if (!m.find()) {
            throw new IllegalArgumentException("no " + name + " in " + head.lines().findFirst().orElse(""));
        }
        return Long.parseLong(m.group(1));
    }

    /** Accepts one subscriber, reads its request and answers with the head and a first status event. */
    private static Accepted acceptOne(ServerSocketChannel server) throws IOException {
        SocketChannel channel = server.accept();
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ByteBuffer request = ByteBuffer.allocate(4096);
        while (!headRead(request)) {
            if (channel.read(request) < 0) {
                channel.close();
                throw new IOException("a subscriber closed before its request was complete");
            }
        }
        ByteBuffer answer = ByteBuffer.allocateDirect(256);
        answer.put(RESPONSE_HEAD.getBytes(StandardCharsets.US_ASCII));
        answer.put(chunk("event: status\ndata: {\"state\":\"running\"}\n\n")).flip();
        write(channel, answer);
        return new Accepted(channel, new String(request.array(), 0, request.position(), StandardCharsets.US_ASCII));
    }

    private static boolean headRead(ByteBuffer request) {
        return new String(request.array(), 0, request.position(), StandardCharsets.US_ASCII).contains("\r\n\r\n");
    }

    /**
     * One thread, nothing handed over: it makes every token that is due, stamped with its due time, then writes each
     * subscriber what it has not had yet in one gathering write, then sleeps until the next token is due. The tokens
     * come at the simulator's pace, {@code delayNs} after the one before, and are stamped as the simulator stamps them
     * (when it wakes, right before its callback); tokens that fell due during a slow pass carry the time they fell
     * due, as the simulator, whose callback the service never holds back, would have stamped them.
     */
    private static void emit(List<SocketChannel> subscribers, long tokens, long delayNs) throws IOException {
        ByteBuffer[] events = new ByteBuffer[(int) tokens + 1];
        int[] written = new int[subscribers.size()];
        int made = 0;
        long due = System.nanoTime() + delayNs;
        while (made < events.length) {
            long now = System.nanoTime();
            if (now < due) {
                LockSupport.parkNanos(due - now);
                due = System.nanoTime();
                now = due;
            }
            for (; made < tokens && due <= now; made++, due += delayNs) {
                events[made] = direct(chunk("id: " + made + "\nevent: chunk\ndata: {\"seq\":" + made
                        + ",\"delta\":\"t=" + due + ";\",\"end\":false}\n\n"));
            }
            if (made == tokens) {
                events[made++] = direct(chunk("id: " + tokens + "\nevent: chunk\ndata: {\"seq\":" + tokens
                        + ",\"delta\":\"\",\"end\":true,\"finish_reason\":\"stop\"}\n\n"),
                        "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            for (int i = 0; i < written.length; i++) {
                ByteBuffer[] batch = new ByteBuffer[made - written[i]];
                for (int k = 0; k < batch.length; k++) {
                    batch[k] = events[written[i] + k].duplicate();
                }
                write(subscribers.get(i), batch);
                written[i] = made;
            }
        }
    }

    private static byte[] chunk(String event) {
        byte[] data = event.getBytes(StandardCharsets.UTF_8);
        byte[] size = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[size.length + data.length + 2];
        System.arraycopy(size, 0, chunk, 0, size.length);
        System.arraycopy(data, 0, chunk, size.length, data.length);
        chunk[chunk.length - 2] = '\r';
        chunk[chunk.length - 1] = '\n';
        return chunk;
    }

    /** Direct, as a socket needs it: written to every subscriber without a copy per write. */
    private static ByteBuffer direct(byte[]... parts) {
        int size = 0;
        for (byte[] part : parts) {
            size += part.length;
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(size);
        for (byte[] part : parts) {
            buffer.put(part);
        }
        return buffer.flip();
    }

    private static void write(SocketChannel channel, ByteBuffer... buffers) throws IOException {
        ByteBuffer last = buffers[buffers.length - 1];
        while (last.hasRemaining()) {
            channel.write(buffers);
        }
    }

}
