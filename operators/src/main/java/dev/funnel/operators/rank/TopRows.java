package dev.funnel.operators.rank;

/**
 * Keeps the k rows with the highest scores: a binary min-heap over two primitive arrays, so
 * selecting from thousands of candidates allocates nothing per candidate. Ties keep the earlier
 * row. One request, one thread.
 */
public final class TopRows {

    private final float[] scores;
    private final int[] rows;
    private int size;

    /** A heap for the best {@code k} rows (k ≥ 1). */
    public TopRows(int k) {
        scores = new float[Math.max(1, k)];
        rows = new int[Math.max(1, k)];
    }

    /** Offers a row; NaN scores are never kept ahead of numbers. */
    public void offer(int row, float score) {
        if (Float.isNaN(score)) {
            score = Float.NEGATIVE_INFINITY;
        }
        if (size < scores.length) {
            int i = size++;
            scores[i] = score;
            rows[i] = row;
            siftUp(i);
        } else if (score > scores[0] || (score == scores[0] && row < rows[0])) {
            scores[0] = score;
            rows[0] = row;
            siftDown(0);
        }
    }

    /** Empties the heap into the arrays, best first; returns the count. */
    public int drainDescending(int[] outRows, float[] outScores) {
        int n = size;
        for (int i = n - 1; i >= 0; i--) {
            outRows[i] = rows[0];
            outScores[i] = scores[0];
            size--;
            scores[0] = scores[size];
            rows[0] = rows[size];
            siftDown(0);
        }
        return n;
    }

    private boolean worse(int a, int b) {
        return scores[a] < scores[b] || (scores[a] == scores[b] && rows[a] > rows[b]);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!worse(i, p)) {
                return;
            }
            swap(i, p);
            i = p;
        }
    }

    private void siftDown(int i) {
        for (;;) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int m = l + 1 < size && worse(l + 1, l) ? l + 1 : l;
            if (!worse(m, i)) {
                return;
            }
            swap(i, m);
            i = m;
        }
    }

    private void swap(int a, int b) {
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        int r = rows[a];
        rows[a] = rows[b];
        rows[b] = r;
    }
}
