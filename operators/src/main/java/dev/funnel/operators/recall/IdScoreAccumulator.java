package dev.funnel.operators.recall;

import java.util.Arrays;

/**
 * Collects (id, score) rows from several lookups of one request, keeping one row per id with the
 * best (or summed) score; primitive open addressing, so thousands of rows allocate a few arrays —
 * or none: {@link #reset} empties an accumulator by moving to a new stamp, not by writing its
 * arrays, so an operator that keeps one per thread ({@link #perThread}) reuses arrays already in its
 * cache instead of zeroing fresh ones (~30 KB for 600 rows) on every request. Every long is a valid
 * id. One request at a time, one thread.
 */
final class IdScoreAccumulator {

    private long[] keys = new long[0];   // valid where stamps[i] == stamp
    private int[] rows = new int[0];
    private int[] stamps = new int[0];
    private int stamp;
    private long[] ids = new long[0];
    private float[] scores = new float[0];
    private int size;
    private boolean sum;

    /** @param sum add scores of repeated ids (true) or keep the best (false) */
    IdScoreAccumulator(int expected, boolean sum) {
        reset(expected, sum);
    }

    /** An empty accumulator per calling thread, handed out again (emptied by the caller's {@link #reset}) on each get. */
    static ThreadLocal<IdScoreAccumulator> perThread() {
        return ThreadLocal.withInitial(() -> new IdScoreAccumulator(8, false));
    }

    /**
     * Empties this accumulator for about {@code expected} rows (it grows past them) and sets how
     * repeated ids score; the arrays stay when they are big enough. Returns this.
     */
    IdScoreAccumulator reset(int expected, boolean sum) {
        int cap = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
        if (keys.length < cap || keys.length > 4 * cap) { // too small, or much larger than this request needs (as merge's map)
            keys = new long[cap];
            rows = new int[cap];
            stamps = new int[cap];
            stamp = 0;
        }
        if (++stamp == 0) { // wrapped after 2^32 resets: forget every slot once
            Arrays.fill(stamps, 0);
            stamp = 1;
        }
        if (ids.length < Math.max(4, expected)) {
            ids = new long[Math.max(4, expected)];
            scores = new float[ids.length];
        }
        size = 0;
        this.sum = sum;
        return this;
    }

    void add(long id, float score) {
        int mask = keys.length - 1;
        int i = (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        while (stamps[i] == stamp) {
            if (keys[i] == id) {
                int r = rows[i];
                scores[r] = sum ? scores[r] + score : Math.max(scores[r], score);
                return;
            }
            i = (i + 1) & mask;
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            scores = Arrays.copyOf(scores, size * 2);
        }
        keys[i] = id;
        rows[i] = size;
        stamps[i] = stamp;
        ids[size] = id;
        scores[size++] = score;
        if (size * 2 > keys.length) {
            rehash();
        }
    }

    boolean contains(long id) {
        int mask = keys.length - 1;
        int i = (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        while (stamps[i] == stamp) {
            if (keys[i] == id) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    int size() {
        return size;
    }

    long[] ids() {
        return ids;
    }

    float[] scores() {
        return scores;
    }

    /** The best {@code limit} rows by score (ties by id), as a single-source candidate list. */
    dev.funnel.engine.spi.Candidates top(String source, int limit) {
        return topOf(source, ids, scores, size, limit);
    }

    /** The best {@code limit} of rows [0, size) by score (ties by id), as a single-source list. */
    static dev.funnel.engine.spi.Candidates topOf(String source, long[] ids, float[] scores, int size, int limit) {
        int[] order = Ranking.descending(scores, ids, size);
        int n = Math.min(limit, size);
        long[] outIds = new long[n];
        float[] outScores = new float[n];
        for (int i = 0; i < n; i++) {
            outIds[i] = ids[order[i]];
            outScores[i] = scores[order[i]];
        }
        return dev.funnel.engine.spi.Candidates.ofSource(source, outIds, outScores, n);
    }

    /** Twice the slots, refilled from the rows (each id once, in row order): no stale slot is carried over. */
    private void rehash() {
        keys = new long[keys.length * 2];
        rows = new int[keys.length];
        stamps = new int[keys.length];
        stamp = 1;
        int mask = keys.length - 1;
        for (int r = 0; r < size; r++) {
            long id = ids[r];
            int i = (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask;
            while (stamps[i] == stamp) {
                i = (i + 1) & mask;
            }
            keys[i] = id;
            rows[i] = r;
            stamps[i] = stamp;
        }
    }
}
