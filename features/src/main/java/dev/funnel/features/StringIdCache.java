package dev.funnel.features;

/**
 * A bounded, lossy memo of {@link FeatureHash#ofString} for one field seed: item-side strings
 * (categories, authors, tags) come from a small vocabulary and repeat on every request, so
 * hashing each once instead of once per candidate per request saves the FNV pass over its
 * characters. Any thread: slots hold immutable entries published by a plain (racy) write; a
 * reader that sees a stale or missing entry only recomputes, and a hit is checked with
 * {@code equals}, so a result is always exactly {@code FeatureHash.ofString(seed, value)}.
 *
 * <p>Buckets of two slots, placed by the string's hash times the golden ratio (its high bits).
 * A vocabulary of similar names ({@code a0000}…{@code a4999}) has hash codes that differ in a few
 * low bits only; masked directly, 3,044 of those 5,000 shared a slot with another, so a request's
 * authors kept evicting each other and every other lookup re-hashed, allocated and wrote a slot
 * the other core then had to fetch back. Spread and two-way, the same 5,000 all stay.
 */
final class StringIdCache {

    private static final int BUCKET_BITS = 14; // 16,384 buckets, 32,768 slots
    private static final int GOLDEN = 0x9E3779B9;

    private final long seed;
    private final Entry[] entries = new Entry[2 << BUCKET_BITS];

    StringIdCache(long seed) {
        this.seed = seed;
    }

    /** {@code FeatureHash.ofString(seed, value)}, memoized. */
    long idOf(String value) {
        int h = value.hashCode();
        int slot = slotOf(h);
        Entry a = entries[slot]; // racy reads, once each: see the class comment
        if (matches(a, value, h)) {
            return a.id;
        }
        Entry b = entries[slot + 1];
        if (matches(b, value, h)) {
            return b.id;
        }
        long id = FeatureHash.ofString(seed, value);
        // The first slot keeps its value once set; past two values a bucket's second slot turns over.
        entries[a == null ? slot : slot + 1] = new Entry(value, h, id);
        return id;
    }

    /** Whether {@code value} is memoized now (a lookup would not hash it); for tests. */
    boolean holds(String value) {
        int h = value.hashCode();
        int slot = slotOf(h);
        return matches(entries[slot], value, h) || matches(entries[slot + 1], value, h);
    }

    /** The first of the two slots of {@code hash}'s bucket. */
    private static int slotOf(int hash) {
        return ((hash * GOLDEN) >>> (32 - BUCKET_BITS)) << 1;
    }

    private static boolean matches(Entry e, String value, int hash) {
        return e != null && e.hash == hash && (e.value == value || e.value.equals(value));
    }

    private static final class Entry {
        final String value;
        final int hash;
        final long id;

        Entry(String value, int hash, long id) {
            this.value = value;
            this.hash = hash;
            this.id = id;
        }
    }
}
