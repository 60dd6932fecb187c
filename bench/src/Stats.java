import java.util.Arrays;
import java.util.Locale;

/** Order statistics, and the one way every measurement reports a figure: {@code RESULT <key> <value>} on stdout. */
final class Stats {

    private Stats() {
    }

    /** Nearest-rank percentile ({@code p} in 0..100) of the first {@code n} values, which get sorted in place. */
    static double percentile(long[] values, int n, double p) {
        if (n == 0) {
            throw new IllegalStateException("no samples");
        }
        Arrays.sort(values, 0, n);
        int rank = (int) Math.ceil(p / 100.0 * n);
        return values[Math.max(0, Math.min(n - 1, rank - 1))];
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return (sorted.length % 2 == 1) ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** One repetition's value of a measurement, picked up by run.sh for the report. */
    static void result(String key, double value) {
        System.out.println(String.format(Locale.ROOT, "RESULT %s %.6f", key, value));
        System.out.flush();
    }

    static void log(String format, Object... args) {
        System.err.println("  " + String.format(Locale.ROOT, format, args));
    }

}
