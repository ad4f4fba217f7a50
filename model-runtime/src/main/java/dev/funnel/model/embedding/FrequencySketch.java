package dev.funnel.model.embedding;

/**
 * A count-min sketch of write counts for admission: four rows of saturating counters, halved
 * when the sample window fills so old counts fade (TinyLFU's reset). Bounded memory, writer
 * thread only.
 */
final class FrequencySketch {

    private static final int DEPTH = 4;
    private static final long[] SEEDS = {0xc3a5c85c97cb3127L, 0xb492b66fbe98f273L, 0x9ae16a3b2f90404fL, 0xcbf29ce484222325L};

    private final int[] counts;
    private final int mask;
    private final int sampleSize;
    private int additions;

    FrequencySketch(int expectedIds) {
        int width = Integer.highestOneBit(Math.max(64, Math.min(expectedIds, 1 << 24)) - 1) << 1;
        counts = new int[DEPTH * width];
        mask = width - 1;
        sampleSize = 10 * width;
    }

    /** Counts one more occurrence of id; returns its estimated count so far. */
    int incrementAndGet(long id) {
        int min = Integer.MAX_VALUE;
        int width = mask + 1;
        for (int d = 0; d < DEPTH; d++) {
            int i = d * width + index(id, d);
            if (counts[i] < Integer.MAX_VALUE) {
                counts[i]++;
            }
            min = Math.min(min, counts[i]);
        }
        if (++additions >= sampleSize) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] >>>= 1;
            }
            additions = 0;
        }
        return min;
    }

    private int index(long id, int d) {
        long h = (id + SEEDS[d]) * 0x9e3779b97f4a7c15L;
        h ^= h >>> 29;
        return (int) h & mask;
    }
}
