package dev.funnel.features;

/**
 * A bounded, lossy memo of {@link FeatureHash#ofString} for one field seed: item-side strings
 * (categories, authors, tags) come from a small vocabulary and repeat on every request, so
 * hashing each once instead of once per candidate per request saves the FNV pass over its
 * characters. Any thread: slots hold immutable entries published by a plain (racy) write; a
 * reader that sees a stale or missing entry only recomputes, and a hit is checked with
 * {@code equals}, so a result is always exactly {@code FeatureHash.ofString(seed, value)}.
 */
final class StringIdCache {

    private static final int SLOTS = 16384; // power of two

    private final long seed;
    private final Entry[] entries = new Entry[SLOTS];

    StringIdCache(long seed) {
        this.seed = seed;
    }

    /** {@code FeatureHash.ofString(seed, value)}, memoized. */
    long idOf(String value) {
        int h = value.hashCode();
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        Entry e = entries[slot]; // racy read, once: see the class comment
        if (e != null && (e.value == value || e.value.equals(value))) {
            return e.id;
        }
        long id = FeatureHash.ofString(seed, value);
        entries[slot] = new Entry(value, id);
        return id;
    }

    private static final class Entry {
        final String value;
        final long id;

        Entry(String value, long id) {
            this.value = value;
            this.id = id;
        }
    }
}
