import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Measurements 2 to 5 against the running service, as a real client on loopback: SSE over raw sockets
 * ({@link SseFanout}), JSON-RPC over {@code java.net.http} ({@link Rpc}).
 *
 * <p>Usage: {@code Service <port> <server pid> full|smoke [floor=<port>:<pid>]
 * [e2e|latency|mcp|ws|chat|pace|first-token|queue|idle ...]}: all of them, or the ones named (for profiling one of
 * them); {@code floor=} names the pace rows' floor ({@code FanoutFloor serve}), which they need; {@code idle-floor},
 * named only, measures 5 and the idle CPU against {@link IdleFloor} instead of the service.
 */
public final class Service {

    /**
     * Sizes of one mode: the full run, or the smoke run that only proves the bench still works. Each measurement
     * first runs unreported for {@code warmUpSeconds} (at least once, when above 0) for the JIT: after a single run
     * of 2 (about a second) C2 still compiles through the first reported repetitions, which then read 40 % low.
     */
    record Sizes(int repetitions, double warmUpSeconds, long streamTokens, int[] latencySubscribers,
            long latencyTokens, int queueRuns, long queueTokens, int idleSessions, int idlePerSession, int pings,
            Pace pace) {

        /** Runs {@code body} unreported for the warm-up, then {@code repetitions} times reported. */
        void repeat(Repetition body) throws Exception {
            long end = System.nanoTime() + (long) (this.warmUpSeconds * 1e9);
            if (this.warmUpSeconds > 0) {
                do {
                    body.run(false);
                }
                while (System.nanoTime() < end);
            }
            for (int i = 0; i < this.repetitions; i++) {
                body.run(true);
            }
        }

    }

    /** A step of a measurement. */
    @FunctionalInterface
    interface Step {

        void run() throws Exception;

    }

    /** One repetition of a measurement, which reports its figures only when {@code reported}. */
    @FunctionalInterface
    interface Repetition {

        void run(boolean reported) throws Exception;

    }

    /**
     * Sizes of the rows at the board's pace: each run lasts {@code seconds} at every pace; {@code readers} SSE
     * readers of one session at each pace, and {@code cpuReaders} more at 100 tokens/s for CPU per token; the idle
     * CPU is read over {@code idleCpuSeconds} with {@code idleConnections} open; {@code firstTokens} runs per
     * repetition of the added time to first token.
     */
    record Pace(double seconds, int[] readers, int cpuReaders, int idleConnections, double idleCpuSeconds,
            int firstTokens) {
    }

    /** The board's paces, tokens/s: 20 (50 ms per token) and 100 (10 ms). */
    static final int[] TOKENS_PER_SECOND = { 20, 100 };

    private static final Sizes FULL = new Sizes(3, 5, 200_000, new int[] { 1, 100, 1000 }, 1000, 100, 20, 50, 100,
            100, new Pace(4, new int[] { 1, 10 }, 100, 100, 10, 10));

    private static final Sizes SMOKE = new Sizes(1, 0, 5_000, new int[] { 1, 10, 50 }, 50, 10, 5, 5, 20, 10,
            new Pace(0.5, new int[] { 1, 10 }, 20, 100, 2, 3));

    private final int port;

    private final long pid;

    private final Sizes sizes;

    private final Rpc rpc;

    private final ProcessCpu cpu;

    /** The pace rows' floor server ({@code FanoutFloor serve}): its port and its CPU; 0 and null without one. */
    private final int floorPort;

    private final @Nullable ProcessCpu floorCpu;

    private Service(int port, long pid, Sizes sizes, int floorPort, long floorPid) throws Exception {
        this.port = port;
        this.pid = pid;
        this.sizes = sizes;
        this.rpc = new Rpc(port);
        this.cpu = new ProcessCpu(pid);
        this.floorPort = floorPort;
        this.floorCpu = (floorPort > 0) ? new ProcessCpu(floorPid) : null;
    }

    /** The sizes of a mode, {@code full} or {@code smoke}. */
    static Sizes sizes(String mode) {
        return "smoke".equals(mode) ? SMOKE : FULL;
    }

    /** The prompt of measurement 4's runs (and of its in-process floor). */
    static String queuePrompt(Sizes sizes) {
        return Rpc.prompt(sizes.queueTokens(), 1000, "[[sim:stamp]]");
    }

    public static void main(String[] args) throws Exception {
        Sizes sizes = sizes(args[2]);
        List<String> only = new ArrayList<>(List.of(args).subList(3, args.length));
        String[] floor = only.stream().filter((arg) -> arg.startsWith("floor=")).findFirst().orElse("floor=0:0")
            .substring("floor=".length()).split(":");
        only.removeIf((arg) -> arg.startsWith("floor="));
        Service bench = new Service(Integer.parseInt(args[0]), Long.parseLong(args[1]), sizes,
                Integer.parseInt(floor[0]), Long.parseLong(floor[1]));
        if (only.isEmpty() || only.contains("e2e")) {
            bench.endToEnd();
        }
        if (only.isEmpty() || only.contains("latency")) {
            for (int subscribers : sizes.latencySubscribers()) {
                bench.latency(subscribers);
            }
        }
        if (only.isEmpty() || only.contains("mcp")) {
            bench.mcp();
        }
        if (only.isEmpty() || only.contains("ws")) {
            bench.ws();
        }
        if (only.isEmpty() || only.contains("chat")) {
            for (LineApi api : LineApi.values()) {
                bench.chat(api);
            }
        }
        if (only.isEmpty() || only.contains("pace")) {
            bench.pace();
        }
        if (only.isEmpty() || only.contains("first-token")) {
            bench.firstToken();
        }
        if (only.isEmpty() || only.contains("queue")) {
            bench.queue();
        }
        if (only.isEmpty() || only.contains("idle")) {
            bench.idleConnections();
        }
        if (only.isEmpty() || only.contains("idle")) {
            bench.idleCpu();
        }
        if (only.contains("idle-floor")) {
            bench.idleFloor();
            bench.idleFloorCpu();
        }
    }

    /** 2: tokens/s read by one SSE client of one session of {@code streamTokens} tokens, no pace. */
    private void endToEnd() throws Exception {
        long tokens = this.sizes.streamTokens();
        Stats.log("end to end: one SSE client, %d tokens", tokens);
        this.sizes.repeat((reported) -> {
            SseFanout.Connection stream = runWithSubscribers(Rpc.prompt(tokens, 0), 1, 600_000, NOTHING, NOTHING)
                .connections()
                .get(0);
            if (Rpc.number(stream.endLine, "generate_tokens") != tokens) {
                throw new IllegalStateException("the run did not generate " + tokens + " tokens: " + stream.endLine);
            }
            report(reported, "e2e.sse_tokens_per_s", tokens / ((stream.endNanos - stream.firstChunkNanos) / 1e9));
        });
    }

    /** 3: emit → receive per token at 1 ms per token, for {@code subscribers} SSE clients of one session. */
    private void latency(int subscribers) throws Exception {
        long tokens = this.sizes.latencyTokens();
        int[] counts = this.sizes.latencySubscribers();
        // The most subscribers also get their CPU per token, beside the floor server's at the same pace and count.
        boolean most = subscribers == counts[counts.length - 1] && this.floorCpu != null;
        Stats.log("latency: %d subscriber(s), %d stamped tokens at 1 ms", subscribers, tokens);
        this.sizes.repeat((reported) -> {
            double[] cpu = new double[2];
            SseFanout fanout = runWithSubscribers(Rpc.prompt(tokens, 1000, "[[sim:stamp]]"), subscribers, 600_000,
                    () -> cpu[0] = this.cpu.ms(), () -> cpu[1] = this.cpu.ms());
            reportLatencies(reported, "latency." + subscribers + ".", fanout.latencies(), subscribers * tokens);
            if (reported && most) {
                Stats.result("cpu.1000." + subscribers + ".us_per_token", (cpu[1] - cpu[0]) * 1000 / tokens);
                paceFloor(1000, subscribers, tokens, 1000, true);
            }
        });
    }

    /**
     * 2 and 3 over MCP, beside the SSE rows: one {@code generate} call read as progress notifications, unpaced for
     * tokens/s, then stamped at 1 ms per token for emit → receive.
     */
    private void mcp() throws Exception {
        McpStream mcp = new McpStream(this.port);
        long tokens = this.sizes.streamTokens();
        Stats.log("MCP: one generate call, %d tokens as progress notifications", tokens);
        this.sizes.repeat((reported) -> {
            McpStream.Read read = mcp.generate(Rpc.prompt(tokens, 0));
            if (!read.endLine().contains("\"finish_reason\":\"stop\"")) {
                throw new IllegalStateException("the generate call did not end well: " + read.endLine());
            }
            report(reported, "e2e.mcp_tokens_per_s", tokens / ((read.endNanos() - read.firstNanos()) / 1e9));
            // A row of its own rather than a failed run: see bench/README.md on lost notifications.
            report(reported, "e2e.mcp_lost_notifications", tokens - read.progressCount());
        });
        long stamped = this.sizes.latencyTokens();
        Stats.log("MCP latency: one generate call, %d stamped tokens at 1 ms", stamped);
        this.sizes.repeat((reported) -> {
            long[] samples = mcp.generate(Rpc.prompt(stamped, 1000, "[[sim:stamp]]")).latencies();
            reportLatencies(reported, "latency.mcp.", samples, stamped);
        });
    }

    /**
     * 2 and 3 over WebSocket, beside the SSE rows: one blocking {@code rkllm_run} on a socket read as its
     * {@code rkllm_stream} notifications, unpaced for tokens/s, then stamped at 1 ms per token for emit → receive.
     */
    private void ws() throws Exception {
        long tokens = this.sizes.streamTokens();
        Stats.log("WebSocket: one rkllm_run, %d tokens as rkllm_stream notifications", tokens);
        // A socket for each run, as a client that opens one per conversation.
        this.sizes.repeat((reported) -> {
            try (WsStream ws = new WsStream(this.port)) {
                WsStream.Read read = ws.run(Rpc.prompt(tokens, 0));
                if (!read.answer().contains("\"finish_reason\":\"stop\"")) {
                    throw new IllegalStateException("the run did not end well: " + read.answer());
                }
                report(reported, "e2e.ws_tokens_per_s", tokens / ((read.endNanos() - read.firstNanos()) / 1e9));
                report(reported, "e2e.ws_lost_chunks", tokens - read.chunks());
            }
        });
        long stamped = this.sizes.latencyTokens();
        Stats.log("WebSocket latency: one rkllm_run, %d stamped tokens at 1 ms", stamped);
        this.sizes.repeat((reported) -> {
            try (WsStream ws = new WsStream(this.port)) {
                reportLatencies(reported, "latency.ws.", ws.run(Rpc.prompt(stamped, 1000, "[[sim:stamp]]")).latencies(),
                        stamped);
            }
        });
    }

    /**
     * The routes read line by line with {@link LineStream}: the JSON-RPC SSE path ({@code rkllm_run} with
     * {@code Accept: text/event-stream}), which the chat routes are compared with through the same client, and the
     * OpenAI- and Ollama-compatible chat routes; their path, request, token field and how a good end reads.
     */
    enum LineApi {

        RPC_SSE("rpc_sse", "/rpc", "text/event-stream", "delta", "\"finish_reason\":\"stop\""),
        OPENAI("openai", "/v1/chat/completions", "text/event-stream", "content", "\"finish_reason\":\"stop\""),
        OLLAMA("ollama", "/api/chat", "application/x-ndjson", "content", "\"done_reason\":\"stop\"");

        final String key;

        final String path;

        final String accept;

        final String textField;

        final String stopped;

        LineApi(String key, String path, String accept, String textField, String stopped) {
            this.key = key;
            this.path = path;
            this.accept = accept;
            this.textField = textField;
            this.stopped = stopped;
        }

        /** A streamed run of one user message, its output limit above the simulator's {@code tokens}. */
        String body(String prompt, long tokens) {
            if (this == RPC_SSE) {
                return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_run\",\"params\":{\"prompt_input\":\""
                        + prompt + "\"}}";
            }
            String limit = (this == OPENAI) ? "\"max_tokens\":" + (tokens + 16)
                    : "\"options\":{\"num_predict\":" + (tokens + 16) + "}";
            return "{\"model\":\"tiny-sim\",\"stream\":true," + limit + ",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"" + prompt + "\"}]}";
        }

        LineStream.Read run(LineStream client, long tokens, long delayUs, String... markers) throws Exception {
            LineStream.Read read = client.post(this.path, this.accept, body(Rpc.prompt(tokens, delayUs, markers),
                    tokens), this.textField);
            if (!read.others().contains(this.stopped)) {
                throw new IllegalStateException(this.path + " did not end well: " + read.others());
            }
            return read;
        }

    }

    /**
     * 2 and 3 over a route read line by line, beside the SSE rows: one streamed run, unpaced for tokens/s (first
     * token to the end of the answer), then stamped at 1 ms per token for emit → receive.
     */
    private void chat(LineApi api) throws Exception {
        LineStream client = new LineStream(this.port);
        // The OpenAI route takes max_tokens up to 131,072, below 2's unpaced run.
        long tokens = Math.min(this.sizes.streamTokens(), 100_000);
        Stats.log("%s: one streamed run at %s, %d tokens", api.key, api.path, tokens);
        this.sizes.repeat((reported) -> {
            LineStream.Read read = api.run(client, tokens, 0);
            double seconds = (read.endNanos() - read.firstNanos()) / 1e9;
            report(reported, "e2e." + api.key + "_tokens_per_s", tokens / seconds);
        });
        long stamped = this.sizes.latencyTokens();
        Stats.log("%s latency: one streamed run, %d stamped tokens at 1 ms", api.key, stamped);
        this.sizes.repeat((reported) -> reportLatencies(reported, "latency." + api.key + ".",
                api.run(client, stamped, 1000, "[[sim:stamp]]").latencies(), stamped));
    }

    /**
     * The rows at the board's pace, 20 and 100 tokens/s: emit → receive for SSE readers of one session, each beside
     * the same readers of the fan-out floor server at the same pace, run right after it; CPU per token of the
     * service and of the floor process at 100 tokens/s; and one reader of every other transport. Everything of one
     * repetition runs back to back, so that the machine's load falls alike on a row and its floor.
     */
    private void pace() throws Exception {
        if (this.floorCpu == null) {
            throw new IllegalStateException("the pace rows need the fan-out floor server: floor=<port>:<pid>");
        }
        Pace pace = this.sizes.pace();
        McpStream mcp = new McpStream(this.port);
        LineStream chat = new LineStream(this.port);
        for (int i = 0; i < this.sizes.repetitions(); i++) {
            for (int perSecond : TOKENS_PER_SECOND) {
                long tokens = Math.round(perSecond * pace.seconds());
                long delayUs = 1_000_000 / perSecond;
                String prompt = Rpc.prompt(tokens, delayUs, "[[sim:stamp]]");
                Stats.log("pace %d tokens/s: %d stamped tokens, SSE readers beside the floor, then every transport",
                        perSecond, tokens);
                List<Integer> readers = new ArrayList<>();
                Arrays.stream(pace.readers()).forEach(readers::add);
                if (perSecond == 100) {
                    readers.add(pace.cpuReaders());
                }
                for (int count : readers) {
                    String key = perSecond + "." + count + ".";
                    // CPU per token at 100 tokens/s only; the other rows read it too, unreported.
                    boolean cpuRow = perSecond == 100;
                    double[] cpu = new double[2];
                    SseFanout fanout = runWithSubscribers(prompt, count, 600_000, () -> cpu[0] = this.cpu.ms(),
                            () -> cpu[1] = this.cpu.ms());
                    reportLatencies(true, "pace." + perSecond + ".sse." + count + ".", fanout.latencies(),
                            count * tokens);
                    if (cpuRow) {
                        Stats.result("cpu." + key + "us_per_token", (cpu[1] - cpu[0]) * 1000 / tokens);
                    }
                    paceFloor(perSecond, count, tokens, delayUs, cpuRow);
                }
                // A socket for each run, as in ws().
                try (WsStream ws = new WsStream(this.port)) {
                    reportLatencies(true, "pace." + perSecond + ".ws.", ws.run(prompt).latencies(), tokens);
                }
                reportLatencies(true, "pace." + perSecond + ".mcp.", mcp.generate(prompt).latencies(), tokens);
                for (LineApi api : LineApi.values()) {
                    reportLatencies(true, "pace." + perSecond + "." + api.key + ".",
                            api.run(chat, tokens, delayUs, "[[sim:stamp]]").latencies(), tokens);
                }
            }
        }
    }

    /** The floor of a pace row: {@code readers} of {@code FanoutFloor serve} at the same pace, read the same way. */
    private void paceFloor(int perSecond, int readers, long tokens, long delayUs, boolean cpuRow) throws Exception {
        String path = "/floor?subscribers=" + readers + "&tokens=" + tokens + "&delay_us=" + delayUs;
        try (SseFanout fanout = new SseFanout(this.floorPort, Collections.nCopies(readers, path))) {
            fanout.awaitSubscribed(60_000);
            double start = this.floorCpu.ms();
            fanout.awaitEnded(600_000);
            double cpuMs = this.floorCpu.ms() - start;
            reportLatencies(true, "floor.pace." + perSecond + "." + readers + ".", fanout.latencies(),
                    readers * tokens);
            if (cpuRow) {
                Stats.result("floor.cpu." + perSecond + "." + readers + ".us_per_token", cpuMs * 1000 / tokens);
            }
        }
    }

    /**
     * The time the gateway adds to the first token: from handing a {@code rkllm_run} with
     * {@code Accept: text/event-stream} to the client until its first token is read, less the simulator's prefill
     * (20 ms asked, as long as its perf says it slept; the first token follows it without a pace), on a service left
     * idle for half a second before each run.
     */
    private void firstToken() throws Exception {
        LineStream client = new LineStream(this.port);
        int runs = this.sizes.pace().firstTokens();
        long prefillMs = 20;
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_run\",\"params\":{\"prompt_input\":\""
                + "[[sim:tokens=3]][[sim:delay_us=0]][[sim:prefill_ms=" + prefillMs + "]][[sim:stamp]]\"}}";
        Stats.log("first token: %d runs on an idle service, prefill %d ms", runs, prefillMs);
        client.post("/rpc", "text/event-stream", body, "delta"); // the connection, and the path's first run
        for (int i = 0; i < this.sizes.repetitions(); i++) {
            long[] added = new long[runs];
            long[] beforeToken = new long[runs];
            long[] pings = new long[runs];
            for (int k = 0; k < runs; k++) {
                Thread.sleep(500);
                LineStream.Read read = client.post("/rpc", "text/event-stream", body, "delta");
                if (read.tokens() != 3) {
                    throw new IllegalStateException("the run streamed " + read.tokens() + " of 3 tokens: "
                            + read.others());
                }
                // The prefill as the simulator timed it, its sleep's overrun included: that is the runtime's time.
                double prefillNs = Rpc.number(read.others(), "prefill_time_ms") * 1e6;
                added[k] = read.firstNanos() - read.sentNanos() - (long) prefillNs;
                // The part before the simulator stamped the first token: the rest is its way to the client.
                beforeToken[k] = added[k] - read.latencies()[0];
                // The floor: a ping after the same rest, the request's way through the service without a run.
                Thread.sleep(500);
                long start = System.nanoTime();
                this.rpc.call("ping", null);
                pings[k] = System.nanoTime() - start;
            }
            Stats.result("first_token.added_p50_ms", Stats.percentile(added, runs, 50) / 1e6);
            Stats.result("first_token.added_max_ms", Stats.percentile(added, runs, 100) / 1e6);
            Stats.result("first_token.before_token_p50_ms", Stats.percentile(beforeToken, runs, 50) / 1e6);
            Stats.result("first_token.floor_ping_p50_ms", Stats.percentile(pings, runs, 50) / 1e6);
        }
    }

    /** p50, p99 and max of emit → receive samples under {@code prefix}, once every expected sample was read. */
    private static void reportLatencies(boolean reported, String prefix, long[] samples, long expected) {
        if (samples.length != expected) {
            throw new IllegalStateException(prefix + ": " + samples.length + " stamped tokens read, expected "
                    + expected);
        }
        report(reported, prefix + "p50_ms", Stats.percentile(samples, samples.length, 50) / 1e6);
        report(reported, prefix + "p99_ms", Stats.percentile(samples, samples.length, 99) / 1e6);
        report(reported, prefix + "max_ms", Stats.percentile(samples, samples.length, 100) / 1e6);
    }

    private static void report(boolean reported, String key, double value) {
        if (reported) {
            Stats.result(key, value);
        }
    }

    private static final Step NOTHING = () -> {
    };

    /**
     * Runs {@code prompt} with {@code subscribers} SSE clients that all attached while it was queued behind a holder
     * run, so that each reads every chunk live; returns their fan-out, closed, once every one has read the end chunk.
     * {@code released} runs once the holder is gone (the run starts), {@code ended} once every client has its end.
     */
    private SseFanout runWithSubscribers(String prompt, int subscribers, long timeoutMs, Step released, Step ended)
            throws Exception {
        String holder = this.rpc.hold();
        String session = this.rpc.start(prompt);
        try (SseFanout fanout = new SseFanout(this.port,
                Collections.nCopies(subscribers, Rpc.streamPath(session)))) {
            fanout.awaitSubscribed(60_000);
            this.rpc.release(holder);
            released.run();
            fanout.awaitEnded(timeoutMs);
            ended.run();
            for (SseFanout.Connection connection : fanout.connections()) {
                if (connection.errors > 0 || !connection.endLine.contains("\"finish_reason\":\"stop\"")) {
                    throw new IllegalStateException("a stream did not end well: " + connection.endLine);
                }
            }
            return fanout;
        }
    }

    /**
     * 4: {@code queueRuns} concurrent blocking {@code rkllm_run} calls of {@code queueTokens} stamped tokens at 1 ms
     * each: wall time against the simulator's own busy time, the sum of each run's prefill and generate time. The
     * stamps also tell the median gap between one run's last token and the next run's first token (less the 1 ms
     * pace before it): the time the NPU sat idle between two runs.
     */
    private void queue() throws Exception {
        int runs = this.sizes.queueRuns();
        Stats.log("queue: %d concurrent rkllm_run of %d tokens at 1 ms", runs, this.sizes.queueTokens());
        String params = "{\"prompt_input\":\"" + queuePrompt(this.sizes) + "\"}";
        this.sizes.repeat((reported) -> {
            concurrently(runs, "ping", null); // opens the client's connections, so that no run waits for a connect
            long start = System.nanoTime();
            List<String> answers = concurrently(runs, "rkllm_run", params);
            double wallMs = (System.nanoTime() - start) / 1e6;
            double busyMs = 0;
            int errors = 0;
            List<long[]> spans = new ArrayList<>();
            for (String answer : answers) {
                if (answer.contains("\"error\":") || !answer.contains("\"finish_reason\":\"stop\"")) {
                    errors++;
                    continue;
                }
                busyMs += Rpc.number(answer, "prefill_time_ms") + Rpc.number(answer, "generate_time_ms");
                String[] stamps = Rpc.string(answer, "text").split(";");
                spans.add(new long[] { stampOf(stamps[0]), stampOf(stamps[stamps.length - 1]) });
            }
            spans.sort((a, b) -> Long.compare(a[0], b[0]));
            long[] gaps = new long[Math.max(1, spans.size() - 1)];
            for (int k = 1; k < spans.size(); k++) {
                gaps[k - 1] = spans.get(k)[0] - 1_000_000 - spans.get(k - 1)[1];
            }
            report(reported, "queue.wall_ms", wallMs);
            report(reported, "queue.busy_ms", busyMs);
            report(reported, "queue.overhead_pct", (wallMs - busyMs) / busyMs * 100);
            report(reported, "queue.gap_between_runs_ms", Stats.percentile(gaps, gaps.length, 50) / 1e6);
            report(reported, "queue.errors", errors);
        });
    }

    private static long stampOf(String stamp) {
        return Long.parseLong(stamp.substring(stamp.indexOf('=') + 1));
    }

    private List<String> concurrently(int count, String method, String params) {
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(this.rpc.callAsync(method, params));
        }
        return calls.stream().map(CompletableFuture::join).toList();
    }

    /**
     * 5: {@code idleSessions} sessions queued behind a holder run, {@code idlePerSession} open SSE subscribers each;
     * the server's heap after a full GC with them open minus without, per connection, and {@code ping} latency
     * meanwhile.
     */
    private void idleConnections() throws Exception {
        Stats.log("idle connections: %d sessions queued x %d SSE subscribers", this.sizes.idleSessions(),
                this.sizes.idlePerSession());
        String holder = this.rpc.hold();
        List<String> paths = new ArrayList<>();
        for (int s = 0; s < this.sizes.idleSessions(); s++) {
            String path = Rpc.streamPath(this.rpc.start(Rpc.prompt(1, 0)));
            paths.addAll(Collections.nCopies(this.sizes.idlePerSession(), path));
        }
        holdOpen(paths, "idle.", () -> Stats.result("idle.ping_max_ms", pingMaxMs()), "/actuator/streams");
        this.rpc.release(holder);
    }

    /**
     * The CPU the service burns while idle with {@code idleConnections} open SSE subscribers (heartbeats, timers): one
     * session queued behind a holder that emits a token every 2 s (its few tokens cost next to nothing), CPU time over
     * {@code idleCpuSeconds} after a second's rest, per minute.
     */
    private void idleCpu() throws Exception {
        Pace pace = this.sizes.pace();
        Stats.log("idle CPU: %d open SSE subscribers, %.0f s", pace.idleConnections(), pace.idleCpuSeconds());
        String holder = this.rpc.hold(2_000_000);
        String path = Rpc.streamPath(this.rpc.start(Rpc.prompt(1, 0)));
        holdIdle(Collections.nCopies(pace.idleConnections(), path), "idle.cpu_ms_per_min");
        this.rpc.release(holder);
    }

    /** The idle CPU's floor: as many open responses of {@link IdleFloor}'s route, measured the same way. */
    private void idleFloorCpu() throws Exception {
        Pace pace = this.sizes.pace();
        Stats.log("idle CPU floor: %d SSE responses of a bare WebFlux route, %.0f s", pace.idleConnections(),
                pace.idleCpuSeconds());
        holdIdle(Collections.nCopies(pace.idleConnections(), "/idle"), "floor.idle.cpu_ms_per_min");
    }

    private void holdIdle(List<String> paths, String key) throws Exception {
        Pace pace = this.sizes.pace();
        for (int i = 0; i < this.sizes.repetitions(); i++) {
            try (SseFanout fanout = new SseFanout(this.port, paths)) {
                fanout.awaitSubscribed(60_000);
                Thread.sleep(1000);
                double start = this.cpu.ms();
                Thread.sleep((long) (pace.idleCpuSeconds() * 1000));
                Stats.result(key, (this.cpu.ms() - start) / pace.idleCpuSeconds() * 60);
            }
        }
    }

    /** 5's floor: as many open SSE responses of {@link IdleFloor}'s route that sends nothing, measured as 5. */
    private void idleFloor() throws Exception {
        int connections = this.sizes.idleSessions() * this.sizes.idlePerSession();
        Stats.log("idle connections floor: %d SSE responses of a bare WebFlux route", connections);
        holdOpen(Collections.nCopies(connections, "/idle"), "floor.idle.", () -> {
        }, "/subscribers");
    }

    /**
     * Opens an SSE connection to each path, {@code repetitions} times: heap after GC and RSS per connection with them
     * open minus without, under {@code keyPrefix}, and {@code meanwhile}; after closing them, waits until
     * {@code subscribersPath} counts none (see {@link #awaitNoSubscribers}).
     */
    private void holdOpen(List<String> paths, String keyPrefix, Step meanwhile, String subscribersPath)
            throws Exception {
        for (int i = 0; i < this.sizes.repetitions(); i++) {
            long heapBefore = heapAfterGc();
            long rssBefore = rssBytes();
            try (SseFanout fanout = new SseFanout(this.port, paths)) {
                fanout.awaitSubscribed(120_000);
                long heapAfter = heapAfterGc();
                Stats.result(keyPrefix + "heap_per_conn_kib", (heapAfter - heapBefore) / 1024.0 / paths.size());
                Stats.result(keyPrefix + "rss_per_conn_kib", (rssBytes() - rssBefore) / 1024.0 / paths.size());
                meanwhile.run();
            }
            awaitNoSubscribers(subscribersPath);
        }
    }

    private double pingMaxMs() {
        this.rpc.call("ping", null);
        long max = 0;
        for (int i = 0; i < this.sizes.pings(); i++) {
            long start = System.nanoTime();
            this.rpc.call("ping", null);
            max = Math.max(max, System.nanoTime() - start);
        }
        return max / 1e6;
    }

    /**
     * Waits (at most a minute) until the server has seen every closed subscriber go: until the {@code subscribers}
     * fields of what {@code path} answers add up to 0.
     */
    private void awaitNoSubscribers(String path) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (Rpc.sum(this.rpc.get(path), "subscribers") > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server still counts subscribers a minute after they closed");
            }
            Thread.sleep(200);
        }
    }

    /**
     * The server's used heap right after {@code jcmd GC.run} (a full collection; twice, so that what the first one
     * only finalised is gone too), from {@code GC.heap_info}: the sum of the "used" figures of the heap's spaces.
     */
    private long heapAfterGc() throws Exception {
        jcmd("GC.run");
        jcmd("GC.run");
        long used = 0;
        Matcher m = Pattern.compile("used (\\d+)([KMG])").matcher("");
        for (String line : jcmd("GC.heap_info").split("\n")) {
            if (line.contains("Metaspace") || line.contains("class space")) {
                continue;
            }
            m.reset(line);
            if (m.find()) {
                used += Long.parseLong(m.group(1)) << switch (m.group(2)) {
                    case "K" -> 10;
                    case "M" -> 20;
                    default -> 30;
                };
            }
        }
        return used;
    }

    private String jcmd(String command) throws Exception {
        Process process = new ProcessBuilder("jcmd", Long.toString(this.pid), command).redirectErrorStream(true)
            .start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + output);
        }
        return output;
    }

    private long rssBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + this.pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + this.pid);
    }

}
