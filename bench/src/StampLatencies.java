import java.util.Arrays;

/**
 * The emit → receive samples of one streamed answer read as text: for each piece of text that carries a simulator
 * stamp ({@code t=<ns>;} after the field's opening), the receive time less the stamp.
 */
final class StampLatencies {

    /** How the stamp's field opens, e.g. {@code "delta":"t=}. */
    private final String marker;

    private long[] values = new long[1024];

    private int count;

    StampLatencies(String marker) {
        this.marker = marker;
    }

    /** Adds a sample when {@code text}, read at {@code now}, carries a stamp. */
    void add(String text, long now) {
        int at = text.indexOf(this.marker);
        if (at < 0) {
            return;
        }
        if (this.count == this.values.length) {
            this.values = Arrays.copyOf(this.values, this.count * 2);
        }
        this.values[this.count++] = now - Long.parseLong(text.substring(at + this.marker.length(),
                text.indexOf(';', at)));
    }

    long[] toArray() {
        return Arrays.copyOf(this.values, this.count);
    }

}
