package dev.funnel.operators.recall;

import java.util.Arrays;

/**
 * Collects (id, score) rows from several lookups of one request, keeping one row per id with the
 * best (or summed) score; primitive open addressing, so thousands of rows allocate a few arrays.
 * One request, one thread.
 */
final class IdScoreAccumulator {

    private long[] keys;   // 0 = empty (item ids are > 0)
    private int[] rows;
    private long[] ids;
    private float[] scores;
    private int size;
    private final boolean sum;

    /** @param sum add scores of repeated ids (true) or keep the best (false) */
    IdScoreAccumulator(int expected, boolean sum) {
        int cap = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
        keys = new long[cap];
        rows = new int[cap];
        ids = new long[Math.max(4, expected)];
        scores = new float[ids.length];
        this.sum = sum;
    }

    void add(long id, float score) {
        int mask = keys.length - 1;
        int i = (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        while (keys[i] != 0) {
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
        ids[size] = id;
        scores[size++] = score;
        if (size * 2 > keys.length) {
            rehash();
        }
    }

    boolean contains(long id) {
        int mask = keys.length - 1;
        int i = (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        while (keys[i] != 0) {
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

    private void rehash() {
        long[] oldKeys = keys;
        int[] oldRows = rows;
        keys = new long[oldKeys.length * 2];
        rows = new int[keys.length];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0) {
                int i = (int) ((oldKeys[j] * 0x9E3779B97F4A7C15L) >>> 40) & mask;
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                rows[i] = oldRows[j];
            }
        }
    }
}
