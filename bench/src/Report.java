import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Turns the {@code RESULT <key> <value>} lines of one bench run into the table (min / median / max over the
 * repetitions, the target, whether the median meets it) and {@code latest.json}.
 *
 * <p>Usage: {@code Report <results file> <json file> <name=value>...}; the name=value pairs are facts of the run
 * (mode, commit, ...) that go into the JSON as they are.
 */
public final class Report {

    /** A target: the median must be {@code op} {@code bound}. */
    private record Target(String op, double bound) {

        boolean metBy(double value) {
            return switch (this.op) {
                case ">=" -> value >= this.bound;
                case "<=" -> value <= this.bound;
                case "<" -> value < this.bound;
                default -> throw new IllegalArgumentException(this.op);
            };
        }

        @Override
        public String toString() {
            return this.op + " " + format(this.bound);
        }

    }

    /**
     * @param floor the median of the row's floor in the same run (null: it has none, or the run measured none); a
     * target that the floor misses too is out of reach on this machine of what the floor does, not only of the
     * service
     */
    private record Row(String key, String label, String unit, double[] values, Target target, @Nullable Double floor) {

        double min() {
            return java.util.Arrays.stream(this.values).min().orElseThrow();
        }

        double max() {
            return java.util.Arrays.stream(this.values).max().orElseThrow();
        }

        double median() {
            return Stats.median(this.values);
        }

        String met() {
            if (this.target == null) {
                return "";
            }
            if (this.target.metBy(median())) {
                return "yes";
            }
            return (this.floor != null && !this.target.metBy(this.floor)) ? "NO, floor too" : "NO";
        }

    }

    /** Label, unit and target of each key; latency keys ({@code latency.<n>.<stat>}) are described by pattern. */
    private static final Map<String, String[]> KNOWN = new LinkedHashMap<>();

    private static final Map<String, Target> TARGETS = Map.ofEntries(
            Map.entry("e2e.sse_tokens_per_s", new Target(">=", 100_000)),
            Map.entry("e2e.ratio_to_jna_pct", new Target(">=", 30)),
            Map.entry("latency.100.p99_ms", new Target("<=", 1)),
            Map.entry("latency.1000.p99_ms", new Target("<=", 5)),
            Map.entry("queue.overhead_pct", new Target("<=", 5)),
            Map.entry("queue.errors", new Target("<=", 0)),
            Map.entry("e2e.mcp_lost_notifications", new Target("<=", 0)),
            Map.entry("e2e.ws_lost_chunks", new Target("<=", 0)),
            Map.entry("idle.heap_per_conn_kib", new Target("<=", 8)),
            Map.entry("idle.ping_max_ms", new Target("<", 50)),
            Map.entry("startup.ready_ms", new Target("<=", 3000)),
            Map.entry("startup.idle_rss_mb", new Target("<=", 200)),
            Map.entry("latency.1000.p99_to_floor", new Target("<=", 2)),
            Map.entry("latency.openai.p50_to_sse", new Target("<=", 2)),
            Map.entry("latency.openai.p99_to_sse", new Target("<=", 2)),
            Map.entry("latency.ollama.p50_to_sse", new Target("<=", 2)),
            Map.entry("latency.ollama.p99_to_sse", new Target("<=", 2)),
            Map.entry("pace.20.sse.1.p99_ms", new Target("<=", 2)),
            Map.entry("pace.20.sse.1.p50_to_floor", new Target("<=", 1.5)),
            Map.entry("cpu.100.1.above_floor_us", new Target("<=", 50)),
            Map.entry("idle.cpu_ms_per_min", new Target("<=", 1000)),
            Map.entry("first_token.added_p50_ms", new Target("<=", 2)));

    /**
     * A row computed from two others: each repetition of {@code of} divided by ({@code /}) or less ({@code -}) the
     * median of {@code base} in the same run.
     */
    private record Derived(String key, String of, char op, String base, String label, String unit) {
    }

    private static final List<Derived> DERIVED = new ArrayList<>(List.of(
            new Derived("latency.1000.p99_to_floor", "latency.1000.p99_ms", '/', "floor.fanout.1000.p99_ms",
                    "3  1,000 subscribers p99 / its floor's", "x"),
            new Derived("latency.1000.p99_to_floor_server", "latency.1000.p99_ms", '/', "floor.pace.1000.1000.p99_ms",
                    "3  1,000 subscribers p99 / the floor server's", "x"),
            new Derived("pace.20.sse.1.p50_to_floor", "pace.20.sse.1.p50_ms", '/', "floor.pace.20.1.p50_ms",
                    "7  pace 20/s, 1 SSE reader: p50 / its floor's", "x"),
            new Derived("cpu.100.1.above_floor_us", "cpu.100.1.us_per_token", '-', "floor.cpu.100.1.us_per_token",
                    "8  CPU per token, 100/s, 1 reader, above floor", "µs")));

    /** The floor each target's row is measured against, where it has one (2 has its own ratio row to 1b). */
    private static final Map<String, String> FLOORS = Map.ofEntries(
            Map.entry("latency.100.p99_ms", "floor.fanout.100.p99_ms"),
            Map.entry("latency.1000.p99_ms", "floor.fanout.1000.p99_ms"),
            Map.entry("pace.20.sse.1.p99_ms", "floor.pace.20.1.p99_ms"),
            Map.entry("idle.cpu_ms_per_min", "floor.idle.cpu_ms_per_min"),
            Map.entry("first_token.added_p50_ms", "first_token.floor_ping_p50_ms"),
            Map.entry("queue.overhead_pct", "floor.queue_overhead_pct"),
            Map.entry("idle.heap_per_conn_kib", "floor.idle.heap_per_conn_kib"),
            Map.entry("startup.ready_ms", "startup.floor.ready_ms"),
            Map.entry("startup.idle_rss_mb", "startup.floor.idle_rss_mb"));

    static {
        // The chat routes' latency against the JSON-RPC SSE path's, read by the same client (issue 18).
        for (String api : List.of("OpenAI", "Ollama")) {
            for (String stat : List.of("p50", "p99")) {
                String key = "latency." + api.toLowerCase(Locale.ROOT) + "." + stat;
                DERIVED.add(new Derived(key + "_to_sse", key + "_ms", '/', "latency.rpc_sse." + stat + "_ms",
                        "3  " + api + " " + stat + " / the JSON-RPC SSE path's", "x"));
            }
        }
        KNOWN.put("floor.c_noop", new String[] { "1a floor: simulator -> C no-op callback", "tokens/s" });
        KNOWN.put("floor.jna_noop", new String[] { "1b floor: simulator -> Java no-op JNA callback", "tokens/s" });
        KNOWN.put("bridge.listener", new String[] { "1  bridge: RkllmRuntime -> TokenListener (UTF-8)", "tokens/s" });
        KNOWN.put("e2e.sse_tokens_per_s", new String[] { "2  end to end: 1 SSE client of 1 session", "tokens/s" });
        KNOWN.put("e2e.ratio_to_jna_pct", new String[] { "2  end to end / median of 1b", "%" });
        KNOWN.put("e2e.mcp_tokens_per_s",
                new String[] { "2  end to end over MCP: progress notifications", "tokens/s" });
        KNOWN.put("e2e.mcp_lost_notifications",
                new String[] { "2  over MCP: tokens without a progress notification", "tokens" });
        KNOWN.put("latency.mcp.p50_ms", new String[] { "3  latency emit->MCP progress notification, p50", "ms" });
        KNOWN.put("latency.mcp.p99_ms", new String[] { "3  latency emit->MCP progress notification, p99", "ms" });
        KNOWN.put("latency.mcp.max_ms", new String[] { "3  latency emit->MCP progress notification, max", "ms" });
        KNOWN.put("e2e.ws_tokens_per_s",
                new String[] { "2  end to end over WebSocket: notifications", "tokens/s" });
        KNOWN.put("e2e.ws_lost_chunks", new String[] { "2  over WebSocket: tokens without a notification", "tokens" });
        KNOWN.put("latency.ws.p50_ms", new String[] { "3  latency emit->WebSocket notification, p50", "ms" });
        KNOWN.put("latency.ws.p99_ms", new String[] { "3  latency emit->WebSocket notification, p99", "ms" });
        KNOWN.put("latency.ws.max_ms", new String[] { "3  latency emit->WebSocket notification, max", "ms" });
        for (String api : List.of("JSON-RPC SSE", "OpenAI", "Ollama")) {
            String key = api.equals("JSON-RPC SSE") ? "rpc_sse" : api.toLowerCase(Locale.ROOT);
            KNOWN.put("e2e." + key + "_tokens_per_s", new String[] { "2  end to end over " + api + ", 1 run",
                    "tokens/s" });
            for (String stat : List.of("p50", "p99", "max")) {
                KNOWN.put("latency." + key + "." + stat + "_ms", new String[] { "3  latency emit->" + api
                        + " chunk, " + stat, "ms" });
            }
        }
        KNOWN.put("queue.wall_ms", new String[] { "4  queue: wall time of the concurrent runs", "ms" });
        KNOWN.put("queue.busy_ms", new String[] { "4  queue: simulator busy (prefill+generate)", "ms" });
        KNOWN.put("queue.overhead_pct", new String[] { "4  queue: overhead, wall / busy - 1", "%" });
        KNOWN.put("floor.queue_overhead_pct", new String[] { "4  queue floor: same runs in process, no HTTP", "%" });
        KNOWN.put("queue.gap_between_runs_ms", new String[] { "4  queue: NPU idle between two runs (median)", "ms" });
        KNOWN.put("queue.errors", new String[] { "4  queue: failed runs", "runs" });
        KNOWN.put("idle.heap_per_conn_kib", new String[] { "5  idle SSE: heap after GC per connection", "KiB" });
        KNOWN.put("floor.idle.heap_per_conn_kib",
                new String[] { "5  floor: bare WebFlux SSE, heap per connection", "KiB" });
        KNOWN.put("idle.rss_per_conn_kib", new String[] { "5  idle SSE: RSS per connection (info)", "KiB" });
        KNOWN.put("floor.idle.rss_per_conn_kib",
                new String[] { "5  floor: bare WebFlux SSE, RSS per connection", "KiB" });
        KNOWN.put("idle.ping_max_ms", new String[] { "5  idle SSE: slowest ping meanwhile", "ms" });
        KNOWN.put("idle.cpu_ms_per_min", new String[] { "8  idle CPU, 100 open SSE streams, per minute", "ms" });
        KNOWN.put("floor.idle.cpu_ms_per_min",
                new String[] { "8  floor: bare WebFlux SSE, idle CPU per minute", "ms" });
        KNOWN.put("first_token.added_p50_ms", new String[] { "9  time added to the first token, p50", "ms" });
        KNOWN.put("first_token.added_max_ms", new String[] { "9  time added to the first token, max", "ms" });
        KNOWN.put("first_token.before_token_p50_ms",
                new String[] { "9  of it, before the simulator's token, p50", "ms" });
        KNOWN.put("first_token.floor_ping_p50_ms", new String[] { "9  floor: a ping after the same rest, p50", "ms" });
        KNOWN.put("startup.ready_ms", new String[] { "6  start-up as the image runs it -> readiness UP", "ms" });
        KNOWN.put("startup.idle_rss_mb", new String[] { "6  footprint as the image runs it: RSS when idle", "MB" });
        KNOWN.put("startup.floor.ready_ms",
                new String[] { "6  floor: bare WebFlux app, image's way -> ready", "ms" });
        KNOWN.put("startup.floor.idle_rss_mb",
                new String[] { "6  floor: bare WebFlux app, image's way, idle RSS", "MB" });
        KNOWN.put("startup.plain_jar.ready_ms", new String[] { "6  info: plain java -jar -> readiness UP", "ms" });
        KNOWN.put("startup.plain_jar.idle_rss_mb", new String[] { "6  info: plain java -jar, RSS when idle", "MB" });
    }

    private Report() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 3 && parts[0].equals("RESULT")) {
                values.computeIfAbsent(parts[1], (key) -> new ArrayList<>()).add(Double.parseDouble(parts[2]));
            }
        }
        addRatio(values);
        for (Derived derived : DERIVED) {
            addDerived(values, derived);
        }
        List<Row> rows = new ArrayList<>();
        values.forEach((key, list) -> rows.add(row(key, doubles(list), floorMedian(values, key))));
        // In measurement order, whatever order the results came in (smoke measures 6's plain java -jar row first).
        List<String> known = new ArrayList<>(KNOWN.keySet());
        rows.sort(Comparator.comparing((Row row) -> row.label().substring(0, 1))
            .thenComparingInt((row) -> known.contains(row.key()) ? known.indexOf(row.key()) : Integer.MAX_VALUE));
        Map<String, String> facts = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            facts.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        facts.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        facts.put("jdk", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        facts.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        printTable(rows, facts);
        Files.writeString(Path.of(args[1]), json(rows, facts));
    }

    /** 2's ratio: each end-to-end repetition against the median of the Java no-op floor (1b). */
    private static void addRatio(Map<String, List<Double>> values) {
        List<Double> floor = values.get("floor.jna_noop");
        List<Double> e2e = values.get("e2e.sse_tokens_per_s");
        if (floor == null || e2e == null) {
            return;
        }
        double median = Stats.median(doubles(floor));
        List<Double> ratio = e2e.stream().map((v) -> v / median * 100).toList();
        Map<String, List<Double>> reordered = new LinkedHashMap<>();
        values.forEach((key, list) -> {
            reordered.put(key, list);
            if (key.equals("e2e.sse_tokens_per_s")) {
                reordered.put("e2e.ratio_to_jna_pct", ratio);
            }
        });
        values.clear();
        values.putAll(reordered);
    }

    /** A derived row, put right after the row it is computed from. */
    private static void addDerived(Map<String, List<Double>> values, Derived derived) {
        List<Double> of = values.get(derived.of());
        List<Double> base = values.get(derived.base());
        if (of == null || base == null) {
            return;
        }
        double median = Stats.median(doubles(base));
        List<Double> computed = of.stream().map((v) -> (derived.op() == '/') ? v / median : v - median).toList();
        Map<String, List<Double>> reordered = new LinkedHashMap<>();
        values.forEach((key, list) -> {
            reordered.put(key, list);
            if (key.equals(derived.of())) {
                reordered.put(derived.key(), computed);
            }
        });
        values.clear();
        values.putAll(reordered);
    }

    private static double[] doubles(List<Double> list) {
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static @Nullable Double floorMedian(Map<String, List<Double>> values, String key) {
        List<Double> floor = values.get(FLOORS.get(key));
        return (floor != null) ? Stats.median(doubles(floor)) : null;
    }

    private static Row row(String key, double[] values, @Nullable Double floor) {
        String[] known = KNOWN.get(key);
        Derived derived = DERIVED.stream().filter((d) -> d.key().equals(key)).findFirst().orElse(null);
        if (derived != null) {
            known = new String[] { derived.label(), derived.unit() };
        }
        if (known == null) {
            known = paceLabel(key);
        }
        if (known == null && key.startsWith("latency.")) {
            String[] parts = key.split("\\.");
            String stat = parts[2].replace("_ms", "");
            known = new String[] { "3  latency emit->client, " + parts[1] + " subscriber(s), " + stat, "ms" };
        }
        if (known == null && key.startsWith("floor.fanout.")) {
            String[] parts = key.split("\\.");
            String stat = parts[3].replace("_ms", "");
            known = new String[] { "3  floor: bare fan-out, " + parts[2] + " subscriber(s), " + stat, "ms" };
        }
        if (known == null) {
            known = new String[] { key, "" };
        }
        return new Row(key, known[0], known[1], values, TARGETS.get(key), floor);
    }

    /**
     * Labels of the pace rows ({@code pace.<n>.sse.<readers>.<stat>}, {@code pace.<n>.<transport>.<stat>},
     * {@code floor.pace.<n>.<readers>.<stat>}) and of CPU per token ({@code cpu.<n>.<readers>.us_per_token},
     * {@code floor.cpu.<n>.<readers>.us_per_token}); null for any other key.
     */
    private static String @Nullable [] paceLabel(String key) {
        String[] parts = key.split("\\.");
        if (key.startsWith("pace.") && parts[2].equals("sse")) {
            return new String[] { "7  pace " + parts[1] + "/s: emit->SSE, " + parts[3] + " reader(s), "
                    + stat(parts[4]), "ms" };
        }
        if (key.startsWith("pace.")) {
            String transport = Map.of("ws", "WebSocket", "mcp", "MCP", "openai", "OpenAI", "ollama", "Ollama",
                    "rpc_sse", "JSON-RPC SSE")
                .getOrDefault(parts[2], parts[2]);
            return new String[] { "7  pace " + parts[1] + "/s: emit->" + transport + ", " + stat(parts[3]), "ms" };
        }
        if (key.startsWith("floor.pace.1000.")) {
            return new String[] { "3  floor server: " + parts[3] + " reader(s) at 1 ms, " + stat(parts[4]), "ms" };
        }
        if (key.startsWith("floor.pace.")) {
            return new String[] { "7  floor: fan-out at " + parts[2] + "/s, " + parts[3] + " reader(s), "
                    + stat(parts[4]), "ms" };
        }
        if (key.startsWith("cpu.")) {
            return new String[] { "8  CPU per token at " + parts[1] + "/s, " + parts[2] + " SSE reader(s)", "µs" };
        }
        if (key.startsWith("floor.cpu.")) {
            return new String[] { "8  floor: CPU per token at " + parts[2] + "/s, " + parts[3] + " reader(s)",
                    "µs" };
        }
        return null;
    }

    private static String stat(String stat) {
        return stat.replace("_ms", "");
    }

    private static void printTable(List<Row> rows, Map<String, String> facts) {
        String format = "%-52s %-9s %12s %12s %12s %10s  %s%n";
        System.out.printf(Locale.ROOT, "%nrkllm-gateway bench (%s) - %s cores, %s, commit %s, %s%n", facts.get("mode"),
                facts.get("cores"), facts.get("jdk"), facts.get("commit"), facts.get("date"));
        System.out.printf(Locale.ROOT, format, "measurement", "unit", "min", "median", "max", "target", "met?");
        System.out.println("-".repeat(127));
        for (Row row : rows) {
            System.out.printf(Locale.ROOT, format, row.label(), row.unit(), format(row.min()), format(row.median()),
                    format(row.max()), (row.target() != null) ? row.target().toString() : "",
                    row.met());
        }
        int repetitions = rows.stream().mapToInt((row) -> row.values().length).min().orElse(0);
        System.out.printf(Locale.ROOT, "(%d repetition(s) each; met? judges the median, \"floor too\": the median of"
                + " the row's floor misses the target as well; load average %s at start, %s at end)%n", repetitions,
                facts.get("load_average_at_start"), facts.get("load_average_at_end"));
        if ("smoke".equals(facts.get("mode"))) {
            System.out.println("(smoke run: tiny sizes, not measured alone; the figures prove that the bench runs, not"
                    + " whether a target is met)");
        }
    }

    private static String json(List<Row> rows, Map<String, String> facts) {
        StringBuilder json = new StringBuilder("{\n");
        facts.forEach((name, value) -> json.append("  ").append(quote(name)).append(": ").append(quote(value))
            .append(",\n"));
        json.append("  \"results\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            json.append(String.format(Locale.ROOT,
                    "    {\"key\": %s, \"label\": %s, \"unit\": %s, \"values\": %s, \"min\": %s, \"median\": %s,"
                            + " \"max\": %s, \"target\": %s, \"met\": %s, \"floor_median\": %s}%s%n",
                    quote(row.key()), quote(row.label()), quote(row.unit()), array(row.values()),
                    number(row.min()), number(row.median()), number(row.max()),
                    (row.target() != null) ? quote(row.target().toString()) : "null",
                    (row.target() != null) ? Boolean.toString(row.target().metBy(row.median())) : "null",
                    (row.floor() != null) ? number(row.floor()) : "null",
                    (i < rows.size() - 1) ? "," : ""));
        }
        return json.append("  ]\n}\n").toString();
    }

    private static String array(double[] values) {
        List<String> numbers = new ArrayList<>();
        for (double value : values) {
            numbers.add(number(value));
        }
        return "[" + String.join(", ", numbers) + "]";
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.4f", value).replaceAll("\\.?0+$", "");
    }

    private static String format(double value) {
        if (Math.abs(value) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 10 ? "%.1f" : "%.3f", value);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

}
