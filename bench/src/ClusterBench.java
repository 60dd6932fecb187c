import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster mode's bench (bench/CLUSTER.md), the client side of {@code bench/cluster.sh}: runs/s of one and of two
 * boards behind one Redis under the same load, and emit → client latency read through the shared session log beside
 * the local mode's.
 *
 * <p>Usage, one step per call, each printing {@code RESULT} lines ({@link Stats#result}):
 * <ul>
 * <li>{@code free-port}: prints a free loopback port;</li>
 * <li>{@code await <port> <boards>}: waits until the gateway is ready and, when {@code boards} is above 0, its
 * {@code stream_manager_status} lists that many boards, all idle;</li>
 * <li>{@code throughput <port> <boards> full|smoke}: a fixed load of blocking runs sent to the gateway at once;</li>
 * <li>{@code latency full|smoke <port> <reader>=<port>...}: a stamped run of {@link #MODEL} started through the
 * first port, read by SSE on each reader's port;</li>
 * <li>{@code report <results file> <json file> <name=value>...}: the table and the JSON file.</li>
 * </ul>
 */
public final class ClusterBench {

    /**
     * Sizes of one mode. A run is {@code runTokens} tokens at 1 ms, long beside the cluster's cost of a claim, as a
     * board's run is; the latency run is stamped at 1 ms per token. The full mode first runs each measurement once
     * unreported, for the JIT of the gateways and of this client.
     */
    record Sizes(int repetitions, boolean warmUp, int runs, long runTokens, long latencyTokens) {

    }

    private static final Sizes FULL = new Sizes(5, true, 24, 250, 1000);

    private static final Sizes SMOKE = new Sizes(1, false, 6, 50, 100);

    /**
     * The model that only the first gateway (board A) has: a run naming it runs there, so that a reader on the other
     * gateway reads every chunk through Redis. Runs naming no model go to any board.
     */
    static final String MODEL = "tiny-sim";

    private static final long TIMEOUT_MS = 120_000;

    private ClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "free-port" -> {
                try (ServerSocket socket = new ServerSocket(0)) {
                    System.out.println(socket.getLocalPort());
                }
            }
            case "await" -> await(new Rpc(Integer.parseInt(args[1])), Integer.parseInt(args[2]));
            case "throughput" -> throughput(new Rpc(Integer.parseInt(args[1])), Integer.parseInt(args[2]),
                    sizes(args[3]));
            case "latency" -> latency(sizes(args[1]), Integer.parseInt(args[2]),
                    List.of(args).subList(3, args.length));
            case "report" -> report(Path.of(args[1]), Path.of(args[2]), List.of(args).subList(3, args.length));
            default -> throw new IllegalArgumentException("unknown step " + args[0]);
        }
    }

    private static Sizes sizes(String mode) {
        return "smoke".equals(mode) ? SMOKE : FULL;
    }

    /** Waits (two minutes at most) for readiness UP and {@code boards} idle boards in the cluster's view. */
    private static void await(Rpc rpc, int boards) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000;
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                if (rpc.get("/actuator/health/readiness").endsWith("\"status\":\"UP\"}")) {
                    last = rpc.call("stream_manager_status", null);
                    if (boards == 0 || idleBoards(last) == boards) {
                        return;
                    }
                }
            }
            catch (Exception ex) {
                last = ex.toString(); // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("not ready with " + boards + " idle board(s) within " + TIMEOUT_MS
                + " ms; last answer: " + last);
    }

    /** The boards that {@code stream_manager_status} lists idle; -1 when it lists more that are not. */
    private static int idleBoards(String status) {
        int at = status.indexOf("\"boards\":[");
        if (at < 0) {
            return 0;
        }
        String boards = status.substring(at);
        int listed = count(boards, "\"state\":");
        int idle = count(boards, "\"state\":\"idle\"");
        return (idle == listed) ? idle : -1;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /**
     * {@code runs} blocking {@code rkllm_run} calls sent at once, each {@code runTokens} tokens at 1 ms: runs/s from
     * the first call sent to the last answer, under {@code cluster.<boards>_board.runs_per_s}.
     */
    private static void throughput(Rpc rpc, int boards, Sizes sizes) {
        Stats.log("throughput: %d runs of %d tokens at 1 ms sent at once, %d board(s)", sizes.runs(),
                sizes.runTokens(), boards);
        String params = "{\"prompt_input\":\"" + Rpc.prompt(sizes.runTokens(), 1000) + "\"}";
        if (sizes.warmUp()) {
            runsPerSecond(rpc, sizes.runs(), params);
        }
        for (int i = 0; i < sizes.repetitions(); i++) {
            Stats.result("cluster." + boards + "_board.runs_per_s", runsPerSecond(rpc, sizes.runs(), params));
        }
    }

    private static double runsPerSecond(Rpc rpc, int runs, String params) {
        concurrently(rpc, runs, "ping", null); // opens the client's connections, so that no run waits for a connect
        long start = System.nanoTime();
        for (String answer : concurrently(rpc, runs, "rkllm_run", params)) {
            if (answer.contains("\"error\":") || !answer.contains("\"finish_reason\":\"stop\"")) {
                throw new IllegalStateException("a run did not end well: " + answer);
            }
        }
        return runs / ((System.nanoTime() - start) / 1e9);
    }

    private static List<String> concurrently(Rpc rpc, int count, String method, String params) {
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(rpc.callAsync(method, params));
        }
        return calls.stream().map(CompletableFuture::join).toList();
    }

    /**
     * A run of {@code latencyTokens} stamped tokens at 1 ms of {@link #MODEL}, started through {@code port} behind a
     * holder run of the same model, so that one SSE reader on each reader's port attaches while it is queued and
     * reads every chunk live: p50 and p99 of receive minus stamp under {@code latency.<reader>.}.
     */
    private static void latency(Sizes sizes, int port, List<String> readers) throws Exception {
        Rpc rpc = new Rpc(port);
        Stats.log("latency: %d stamped tokens at 1 ms started through port %d, read by %s", sizes.latencyTokens(),
                port, readers);
        if (sizes.warmUp()) {
            stampedRun(rpc, sizes.latencyTokens(), readers);
        }
        for (int i = 0; i < sizes.repetitions(); i++) {
            Map<String, long[]> samples = stampedRun(rpc, sizes.latencyTokens(), readers);
            for (Map.Entry<String, long[]> reader : samples.entrySet()) {
                long[] ns = reader.getValue();
                Stats.result("latency." + reader.getKey() + ".p50_ms", Stats.percentile(ns, ns.length, 50) / 1e6);
                Stats.result("latency." + reader.getKey() + ".p99_ms", Stats.percentile(ns, ns.length, 99) / 1e6);
            }
        }
    }

    /** One stamped run read by each reader ({@code <name>=<port>}); the latency samples (ns) by reader name. */
    private static Map<String, long[]> stampedRun(Rpc rpc, long tokens, List<String> readers) throws Exception {
        String holder = start(rpc, Rpc.prompt(100_000, Rpc.HOLDER_DELAY_US));
        String session = start(rpc, Rpc.prompt(tokens, 1000, "[[sim:stamp]]"));
        Map<String, SseFanout> fanouts = new LinkedHashMap<>();
        try {
            for (String reader : readers) {
                String[] nameAndPort = reader.split("=", 2);
                fanouts.put(nameAndPort[0], new SseFanout(Integer.parseInt(nameAndPort[1]),
                        Collections.singletonList(Rpc.streamPath(session))));
            }
            for (SseFanout fanout : fanouts.values()) {
                fanout.awaitSubscribed(TIMEOUT_MS);
            }
            rpc.release(holder);
            Map<String, long[]> samples = new LinkedHashMap<>();
            for (Map.Entry<String, SseFanout> fanout : fanouts.entrySet()) {
                fanout.getValue().awaitEnded(TIMEOUT_MS);
                SseFanout.Connection stream = fanout.getValue().connections().get(0);
                long[] read = fanout.getValue().latencies();
                if (stream.errors > 0 || !stream.endLine.contains("\"finish_reason\":\"stop\"")
                        || read.length != tokens) {
                    throw new IllegalStateException(fanout.getKey() + " read " + read.length + " stamped chunks of "
                            + tokens + ", ending " + stream.endLine);
                }
                samples.put(fanout.getKey(), read);
            }
            return samples;
        }
        finally {
            for (SseFanout fanout : fanouts.values()) {
                fanout.close();
            }
        }
    }

    /** {@code rkllm_run_async} of a prompt for {@link #MODEL}; returns the session id. */
    private static String start(Rpc rpc, String prompt) {
        return Rpc.string(rpc.call("rkllm_run_async", "{\"prompt_input\":\"" + prompt + "\",\"model\":\"" + MODEL
                + "\"}"), "session_id");
    }

    /** A row of the table: the median of a key's values, or of a figure computed from the medians. */
    private record Row(String label, double median, String values, String target, String met) {

    }

    /**
     * The table, each figure beside its target (issue 23: two boards at least 1.8 times one board's runs/s, at most
     * 1 ms of p50 latency added by the session log), and the JSON file of every value with the run's facts.
     */
    private static void report(Path results, Path json, List<String> facts) throws Exception {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(results)) {
            String[] parts = line.split(" ");
            values.computeIfAbsent(parts[1], (key) -> new ArrayList<>()).add(Double.parseDouble(parts[2]));
        }
        double one = median(values, "cluster.1_board.runs_per_s");
        double two = median(values, "cluster.2_board.runs_per_s");
        double local = median(values, "latency.local.p50_ms");
        double other = median(values, "latency.other_gateway.p50_ms");
        List<Row> rows = new ArrayList<>();
        rows.add(row(values, "cluster.1_board.runs_per_s", "runs/s, one board"));
        rows.add(row(values, "cluster.2_board.runs_per_s", "runs/s, two boards"));
        rows.add(new Row("two boards / one board", two / one, "", ">= 1.8", (two / one >= 1.8) ? "yes" : "NO"));
        for (String reader : List.of("local", "board_gateway", "other_gateway")) {
            for (String stat : List.of("p50", "p99")) {
                String key = "latency." + reader + "." + stat + "_ms";
                if (values.containsKey(key)) {
                    rows.add(row(values, key, "emit -> SSE " + stat + " ms, " + reader.replace('_', ' ')));
                }
            }
        }
        rows.add(new Row("added p50 ms, other gateway - local", other - local, "", "<= 1",
                (other - local <= 1) ? "yes" : "NO"));
        System.out.println(String.format(Locale.ROOT, "%-44s %10s  %-34s %-8s %s", "cluster bench", "median",
                "values", "target", "met"));
        for (Row row : rows) {
            System.out.println(String.format(Locale.ROOT, "%-44s %10.3f  %-34s %-8s %s", row.label(), row.median(),
                    row.values(), row.target(), row.met()));
        }
        StringBuilder out = new StringBuilder("{\n  \"run\": {");
        for (int i = 0; i < facts.size(); i++) {
            String[] fact = facts.get(i).split("=", 2);
            out.append((i > 0) ? ",\n    " : "\n    ").append(quote(fact[0])).append(": ").append(quote(fact[1]));
        }
        out.append("\n  },\n  \"values\": {");
        int i = 0;
        for (Map.Entry<String, List<Double>> entry : values.entrySet()) {
            out.append((i++ > 0) ? ",\n    " : "\n    ").append(quote(entry.getKey())).append(": ")
                .append(entry.getValue().stream().map(ClusterBench::number).toList());
        }
        out.append("\n  },\n  \"rows\": [");
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            out.append((r > 0) ? ",\n    " : "\n    ").append("{\"label\": ").append(quote(row.label()))
                .append(", \"median\": ").append(number(row.median())).append(", \"target\": ")
                .append(quote(row.target())).append(", \"met\": ").append(quote(row.met())).append('}');
        }
        out.append("\n  ]\n}\n");
        Files.createDirectories(json.toAbsolutePath().getParent());
        Files.writeString(json, out);
    }

    private static Row row(Map<String, List<Double>> values, String key, String label) {
        return new Row(label, median(values, key),
                String.join(" ", values.get(key).stream().map(ClusterBench::number).toList()), "", "");
    }

    private static double median(Map<String, List<Double>> values, String key) {
        List<Double> of = values.get(key);
        if (of == null) {
            throw new IllegalStateException("no value of " + key);
        }
        return Stats.median(of.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

}
