package dev.funnel.operators.recall;

import dev.funnel.operators.merge.LongIntMap;
import java.util.Arrays;

/**
 * Collects (id, score) rows from several lookups of one request, keeping one row per id with the
 * best (or summed) score; the id → row table is a {@link LongIntMap}, so thousands of rows allocate
 * a few arrays — or none: {@link #reset} empties an accumulator without writing its arrays, so an
 * operator that keeps one per thread ({@link #perThread}) reuses arrays already in its cache instead
 * of zeroing fresh ones (~30 KB for 600 rows) on every request. Every long is a valid id. One
 * request at a time, one thread.
 */
final class IdScoreAccumulator {

    private final LongIntMap rows = new LongIntMap(8);
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
        rows.clear(Math.max(4, expected));
        if (ids.length < Math.max(4, expected)) {
            ids = new long[Math.max(4, expected)];
            scores = new float[ids.length];
        }
        size = 0;
        this.sum = sum;
        return this;
    }

    void add(long id, float score) {
        int r = rows.putIfAbsent(id, size);
        if (r >= 0) {
            scores[r] = sum ? scores[r] + score : Math.max(scores[r], score);
            return;
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            scores = Arrays.copyOf(scores, size * 2);
        }
        ids[size] = id;
        scores[size++] = score;
    }

    boolean contains(long id) {
        return rows.get(id) >= 0;
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
}
