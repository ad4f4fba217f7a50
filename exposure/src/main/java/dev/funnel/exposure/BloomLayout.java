package dev.funnel.exposure;

/**
 * The shape shared by the in-process and Redis stores, so both give the same answers: time windows,
 * growing filter segments per window, and a two-word register-blocked Bloom filter: an item sets k
 * bits in each of two 64-bit words chosen by its hash, so a lookup is two memory loads (two
 * {@code BITFIELD GET i64} in Redis), and at the low per-window rates a multi-window lookup needs it
 * takes ~20 bits per item where one word would take ~32 (standard Bloom: ~17).
 *
 * <p>A window's segment {@code s} holds {@code initialCapacity * 4^s} items at rate
 * {@code fpp * 0.5^(s+1)}, so however many segments a window grows, its compound false-positive
 * rate stays below {@code fpp} (a scalable Bloom filter, Almeida et al. 2007). Items take positions
 * in a window in arrival order (a counter), and the position decides the segment.
 *
 * <p>Immutable; any thread.
 */
final class BloomLayout {

    static final int MAX_SEGMENTS = 8;
    private static final int GROWTH_SHIFT = 2;
    private static final double TIGHTENING = 0.5;

    final long windowMillis;
    final int windowsKept;
    final int initialCapacity;
    final double fpp;
    final int k;
    private final int[] segmentWords = new int[MAX_SEGMENTS];
    private final long[] segmentStart = new long[MAX_SEGMENTS + 1];

    BloomLayout(long windowMillis, int windowsKept, int initialCapacity, double fpp) {
        this.windowMillis = windowMillis;
        this.windowsKept = windowsKept;
        this.initialCapacity = initialCapacity;
        this.fpp = fpp;
        this.k = bestK(1 << 16, segmentFpp(0)); // depends on the rate only, so every layout of one store hashes alike
        long start = 0;
        for (int s = 0; s < MAX_SEGMENTS; s++) {
            long cap = (long) initialCapacity << (GROWTH_SHIFT * s);
            segmentStart[s] = start;
            start += cap;
            segmentWords[s] = wordsFor(cap, segmentFpp(s), k);
        }
        segmentStart[MAX_SEGMENTS] = Long.MAX_VALUE;
    }

    double segmentFpp(int s) {
        return fpp * Math.pow(TIGHTENING, s + 1);
    }

    long windowIndex(long epochMillis) {
        return Math.floorDiv(epochMillis, windowMillis);
    }

    /** The segment that holds the item at this position of its window. */
    int segmentOf(long position) {
        int s = 0;
        while (position >= segmentStart[s + 1]) {
            s++;
        }
        return s;
    }

    /** Segments a window with this many items uses. */
    int segmentsFor(long count) {
        return count <= 0 ? 0 : segmentOf(count - 1) + 1;
    }

    int words(int segment) {
        return segmentWords[segment];
    }

    /** The first word of a segment of {@code words} words that holds an item of this hash (Lemire's fast range). */
    static int wordIndex(long hash, int words) {
        return (int) (((hash >>> 32) * words) >>> 32);
    }

    /** The second word. */
    static int wordIndex2(long hash, int words) {
        return (int) (((hash & 0xFFFF_FFFFL) * words) >>> 32);
    }

    /**
     * Fills the word hash and the two k-bit masks of {@code ids[0..n)}: computed once per request and
     * reused against every window and segment. One hash mix and one multiply per item; the masks
     * come from a table of precomputed k-bit patterns (no per-item bit loop, no branches).
     */
    void hash(long[] ids, int n, long[] hashes, long[] masks1, long[] masks2) {
        // Two loops: the first (multiplies, shifts, xors, one store) is one the JIT vectorizes;
        // the table reads of the second are not, and in one loop they kept the whole pass scalar
        // (5,000 ids: 12.6 us in one loop, 5.9 us in two).
        for (int i = 0; i < n; i++) {
            long z = ids[i] * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
            z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL; // mix(), written out
            z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
            hashes[i] = z ^ (z >>> 33);
        }
        long[] patterns = patterns(k);
        for (int i = 0; i < n; i++) {
            // The pattern indices need 24 well-mixed bits, not a second full mix: the top bits of a
            // product with an odd constant depend on every bit of h (one multiply instead of two
            // plus three shift-xors).
            long m = hashes[i] * 0xD6E8FEB86659FD93L;
            masks1[i] = patterns[(int) (m >>> 52)];
            masks2[i] = patterns[(int) (m >>> 40) & (PATTERNS - 1)];
        }
    }

    /** How many distinct k-bit patterns a mask is drawn from (a power of two; 32 KiB of table). */
    static final int PATTERNS = 4096;
    private static final long[][] PATTERN_TABLES = new long[11][];

    /**
     * The k-bit pattern table: {@link #PATTERNS} words of exactly k distinct bits, from a fixed seed so
     * every process (and the Redis store's readers and writers) agrees. Racy lazy init is fine:
     * every thread computes the same table.
     */
    static long[] patterns(int k) {
        long[] t = PATTERN_TABLES[k];
        if (t == null) {
            t = new long[PATTERNS];
            long state = 0x2545F4914F6CDD1DL + k;
            for (int p = 0; p < PATTERNS; p++) {
                long m = 0;
                int bits = 0;
                while (bits < k) {
                    state += 0x9E3779B97F4A7C15L;
                    long b = 1L << (mix(state) & 63);
                    if ((m & b) == 0) {
                        m |= b;
                        bits++;
                    }
                }
                t[p] = m;
            }
            PATTERN_TABLES[k] = t;
        }
        return t;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    /** Expected false-positive rate of the two-word filter with {@code itemsPerWord} items per word. */
    static double filterFpp(double itemsPerWord, int k) {
        double one = blockedFpp(2 * itemsPerWord, k); // each item lands in two words
        return one * one;
    }

    /** Expected false-positive rate of one 64-bit block holding {@code load} item-insertions on average. */
    static double blockedFpp(double load, int k) {
        // Insertions per word are Poisson(load); a word with j of them has (1 - (63/64)^(jk))^k.
        double p = Math.exp(-load);
        double sum = 0;
        int limit = (int) (load + 12 * Math.sqrt(load + 1) + 20);
        for (int j = 0; j <= limit; j++) {
            double filled = 1 - Math.pow(63.0 / 64.0, (double) j * k);
            sum += p * Math.pow(filled, k);
            p = p * load / (j + 1);
        }
        return sum;
    }

    static int wordsFor(long capacity, double targetFpp, int k) {
        long lo = 1;
        long hi = Math.max(2, capacity * 8); // 512 bits per item is far beyond any useful rate
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (filterFpp((double) capacity / mid, k) <= targetFpp) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        if (lo > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("a filter of " + capacity + " items at rate " + targetFpp + " is too large");
        }
        return (int) lo;
    }

    static int bestK(long capacity, double targetFpp) {
        int best = 1;
        long bestWords = Long.MAX_VALUE;
        for (int k = 1; k <= 10; k++) {
            long w = wordsFor(capacity, targetFpp, k);
            if (w < bestWords) {
                bestWords = w;
                best = k;
            }
        }
        return best;
    }

    /** Identity of the layout, checked when a snapshot is restored. */
    String describe() {
        return "window=" + windowMillis + "ms x" + windowsKept + ", initialCapacity=" + initialCapacity + ", fpp=" + fpp
                + ", k=" + k + ", patterns=" + PATTERNS + "/2w, hash=2";
    }

    /**
     * The rate each window gets: a lookup tests every kept window of both records, so the configured
     * rate, a bound for the whole lookup, is split evenly among them.
     */
    static double windowFpp(ExposureConfig c) {
        return c.falsePositiveRate() / (c.retentionWindows() + 2);
    }

    static BloomLayout longTerm(ExposureConfig c) {
        return new BloomLayout(c.windowSeconds() * 1000, c.retentionWindows(), c.initialCapacity(), windowFpp(c));
    }

    static BloomLayout shortTerm(ExposureConfig c) {
        // Two windows of the TTL: a served item stays between one and two TTLs.
        return new BloomLayout(c.shortTermTtlSeconds() * 1000, 2, Math.min(c.initialCapacity(), 256), windowFpp(c));
    }
}
