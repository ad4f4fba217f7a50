package dev.funnel.features;

/**
 * A bounded, lossy memo of {@code (float) Math.log1p(x)} keyed by the exact bits of {@code x}:
 * the log-popularity feature is computed for every candidate of every request, its input is an
 * item's popularity (stable between item updates, so the same values recur across requests), and
 * {@code Math.log1p} is a native {@code StrictMath} call on Java 17. Any thread: slots hold
 * immutable entries published by a plain (racy) write; a reader that sees a stale or missing entry
 * only recomputes, and a hit matches all 64 bits of the input, so a result is always exactly
 * {@code (float) Math.log1p(x)}.
 */
final class Log1pCache {

    private static final int SLOTS = 4096; // power of two

    private final Entry[] entries = new Entry[SLOTS];

    /** {@code (float) Math.log1p(x)}, memoized. */
    float log1p(double x) {
        long bits = Double.doubleToRawLongBits(x);
        long h = bits * 0x9e3779b97f4a7c15L;
        int slot = (int) (h >>> 52) & (SLOTS - 1);
        Entry e = entries[slot]; // racy read, once: see the class comment
        if (e != null && e.bits == bits) {
            return e.value;
        }
        float v = (float) Math.log1p(x);
        entries[slot] = new Entry(bits, v);
        return v;
    }

    private static final class Entry {
        final long bits;
        final float value;

        Entry(long bits, float value) {
            this.bits = bits;
            this.value = value;
        }
    }
}
