package dev.funnel.exposure;

/**
 * The branch-free probe kernels of {@link WindowedBloom#mark}: about a fifth of the candidates are
 * seen, so a branch on each answer would mispredict often; instead the hits of 64 rows gather in a
 * register and are OR-ed into the {@code seen} bitmap once. Filter words are read plainly (see
 * {@link WindowedBloom#mark} for why that is safe). Stateless; any thread.
 */
final class FilterProbes {

    private FilterProbes() {
    }

    /**
     * ORs the hits of the 64 rows from {@code base} (bit {@code i} for row {@code base + i}) into
     * {@code seen}; returns how many of them were not marked before.
     */
    static int markHits(long[] seen, int base, long hits) {
        int wi = base >>> 6;
        long fresh = hits & ~seen[wi];
        seen[wi] |= fresh;
        return Long.bitCount(fresh);
    }

    /** Marks the rows whose item is in the segment {@code ws}; returns how many it newly marked. */
    static int probeOne(long[] ws, long[] hashes, long[] masks1, long[] masks2, int n, long[] seen) {
        int words = ws.length;
        int marked = 0;
        for (int base = 0; base < n; base += 64) {
            int end = Math.min(n, base + 64);
            long hits = 0;
            for (int i = base; i < end; i++) {
                long h = hashes[i];
                long m1 = masks1[i];
                long m2 = masks2[i];
                long missing = (~ws[BloomLayout.wordIndex(h, words)] & m1) | (~ws[BloomLayout.wordIndex2(h, words)] & m2);
                hits |= (long) ((missing == 0) ? 1 : 0) << i; // shift counts are mod 64: i is row base + (i - base)
            }
            marked += markHits(seen, base, hits);
        }
        return marked;
    }

    /** As {@link #probeOne}, for {@code arrays[0..a)}, segments of one size ({@code words} words). */
    static int probeMany(long[][] arrays, int a, int words, long[] hashes, long[] masks1, long[] masks2,
                                 int n, long[] seen) {
        int marked = 0;
        for (int base = 0; base < n; base += 64) {
            int end = Math.min(n, base + 64);
            long hits = 0;
            for (int i = base; i < end; i++) {
                long h = hashes[i];
                long m1 = masks1[i];
                long m2 = masks2[i];
                int i1 = BloomLayout.wordIndex(h, words);
                int i2 = BloomLayout.wordIndex2(h, words);
                int hit = 0;
                for (int k = 0; k < a; k++) {
                    long[] ws = arrays[k];
                    hit |= ((~ws[i1] & m1) | (~ws[i2] & m2)) == 0 ? 1 : 0;
                }
                hits |= (long) hit << i;
            }
            marked += markHits(seen, base, hits);
        }
        return marked;
    }
}
