package dev.funnel.exposure;

/**
 * The answer of {@link ExposureStore#seen}: which rows of the asked item array the user has seen.
 * A bitmap, one bit per row; immutable once handed out.
 */
public final class SeenRows {

    private final long[] bits;
    private final int size;
    private final int seenCount;
    private final boolean failedOpen;

    SeenRows(long[] bits, int size, boolean failedOpen) {
        this.bits = bits;
        this.size = size;
        this.failedOpen = failedOpen;
        int c = 0;
        for (long w : bits) {
            c += Long.bitCount(w);
        }
        this.seenCount = c;
    }

    /** Nothing seen among n rows, because the store could not answer (fail open). */
    static SeenRows failOpen(int n) {
        return new SeenRows(new long[words(n)], n, true);
    }

    static int words(int n) {
        return (n + 63) >>> 6;
    }

    /** Whether row i was seen. */
    public boolean isSeen(int row) {
        return (bits[row >>> 6] & (1L << row)) != 0;
    }

    /** How many rows were asked about. */
    public int size() {
        return size;
    }

    /** How many rows were seen. */
    public int seenCount() {
        return seenCount;
    }

    /**
     * Writes the rows not seen to {@code rows}, in increasing order; returns how many
     * ({@code size() - seenCount()}, the least {@code rows} may hold). Walks the set bits of the
     * complement a word at a time: no branch per row, which asking {@link #isSeen} row by row takes
     * and mispredicts as often as rows are seen.
     */
    public int unseenRows(int[] rows) {
        int n = 0;
        int last = bits.length - 1;
        for (int w = 0; w <= last; w++) {
            long unseen = ~bits[w];
            if (w == last && (size & 63) != 0) {
                unseen &= (1L << size) - 1; // rows past size are not rows; shift counts are mod 64
            }
            int base = w << 6;
            for (; unseen != 0; unseen &= unseen - 1) {
                rows[n++] = base + Long.numberOfTrailingZeros(unseen);
            }
        }
        return n;
    }

    /** True when the store could not answer and nothing is marked (fail open). */
    public boolean failedOpen() {
        return failedOpen;
    }

    @Override
    public String toString() {
        return "SeenRows[" + seenCount + "/" + size + (failedOpen ? ", failed open]" : "]");
    }
}
