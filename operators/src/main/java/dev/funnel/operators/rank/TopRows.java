package dev.funnel.operators.rank;

import dev.funnel.index.TopSelect;

/**
 * Keeps the k rows with the highest scores, best first; ties keep the earlier row, and a NaN score
 * ranks as -infinity (kept behind every number, never dropped). Pre-rank keeps 300 of ~1,000 and
 * rank all of its 300, so this is the index's {@link TopSelect} (a buffer of 2k rows as longs,
 * selected when full, sorted once at the end) rather than a heap: a heap of k paid a sift of log k
 * unpredictable branches for most offers and again for every row drained. Allocates its buffer
 * once, nothing per candidate. One request, one thread.
 */
public final class TopRows {

    private final TopSelect select;

    /** A selection of the best {@code k} rows (k ≥ 1). */
    public TopRows(int k) {
        select = new TopSelect(Math.max(1, k));
    }

    /** Offers a row (distinct per offer). */
    public void offer(int row, float score) {
        select.offer(row, Float.isNaN(score) ? Float.NEGATIVE_INFINITY : score);
    }

    /** Writes the kept rows and their scores into the arrays, best first; returns the count. Empties it. */
    public int drainDescending(int[] outRows, float[] outScores) {
        return select.drainDescending(outRows, outScores);
    }
}
