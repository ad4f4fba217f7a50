package dev.funnel.index;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Item-to-item co-click weights: for each item, the items most often clicked near it in users'
 * click sequences (a pair at distance d in one sequence adds 1/d both ways). Built from history at
 * start and grown by every click. Each item's neighbour list is an immutable array replaced on
 * write, so readers (recall on event loops) never lock; writers of the same item serialize.
 */
public final class CoClickTable {

    public static final int DEFAULT_MAX_NEIGHBORS = 100;
    public static final int DEFAULT_WINDOW = 5;

    /** One item's neighbours, best first. Immutable. */
    private record Neighbors(long[] ids, float[] weights) {
        static final Neighbors EMPTY = new Neighbors(new long[0], new float[0]);
    }

    private final Map<Long, Neighbors> table = new ConcurrentHashMap<>();
    private final int maxNeighbors;
    private final int window;

    /**
     * @param maxNeighbors neighbours kept per item (the weakest one gives way to a new pair)
     * @param window       how many neighbouring clicks in a sequence pair up with each click
     */
    public CoClickTable(int maxNeighbors, int window) {
        if (maxNeighbors < 1) {
            throw new IllegalArgumentException("maxNeighbors must be >= 1, got " + maxNeighbors);
        }
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        this.maxNeighbors = maxNeighbors;
        this.window = window;
    }

    public CoClickTable() {
        this(DEFAULT_MAX_NEIGHBORS, DEFAULT_WINDOW);
    }

    /** Adds one user's click history (any order; adjacent clicks pair up). Writer threads. */
    public void addHistory(long[] clicks) {
        for (int i = 0; i < clicks.length; i++) {
            for (int d = 1; d <= window && i + d < clicks.length; d++) {
                addPair(clicks[i], clicks[i + d], 1f / d);
            }
        }
    }

    /**
     * Records a click given the user's clicks before it, most recent first. Writer threads (the
     * feedback path).
     */
    public void onClick(long itemId, long[] previousMostRecentFirst) {
        for (int d = 0; d < window && d < previousMostRecentFirst.length; d++) {
            addPair(itemId, previousMostRecentFirst[d], 1f / (d + 1));
        }
    }

    private void addPair(long a, long b, float w) {
        if (a == b) {
            return;
        }
        add(a, b, w);
        add(b, a, w);
    }

    private void add(long item, long other, float w) {
        table.compute(item, (k, old) -> with(old == null ? Neighbors.EMPTY : old, other, w));
    }

    private Neighbors with(Neighbors n, long other, float w) {
        int at = -1;
        for (int i = 0; i < n.ids.length; i++) {
            if (n.ids[i] == other) {
                at = i;
                break;
            }
        }
        long[] ids;
        float[] ws;
        if (at >= 0) {
            ids = n.ids.clone();
            ws = n.weights.clone();
            ws[at] += w;
        } else if (n.ids.length < maxNeighbors) {
            ids = Arrays.copyOf(n.ids, n.ids.length + 1);
            ws = Arrays.copyOf(n.weights, n.weights.length + 1);
            at = ids.length - 1;
            ids[at] = other;
            ws[at] = w;
        } else if (n.weights[n.weights.length - 1] <= w) {
            ids = n.ids.clone();
            ws = n.weights.clone();
            at = ids.length - 1; // the weakest gives way
            ids[at] = other;
            ws[at] = w;
        } else {
            return n;
        }
        // bubble the changed entry up to keep best-first order
        while (at > 0 && ws[at - 1] < ws[at]) {
            float tw = ws[at - 1];
            ws[at - 1] = ws[at];
            ws[at] = tw;
            long ti = ids[at - 1];
            ids[at - 1] = ids[at];
            ids[at] = ti;
            at--;
        }
        return new Neighbors(ids, ws);
    }

    /**
     * Fills the item's neighbours, best first, up to the arrays' length; returns how many. Any
     * thread; lock-free.
     */
    public int neighbors(long itemId, long[] outIds, float[] outWeights) {
        Neighbors n = table.get(itemId);
        if (n == null) {
            return 0;
        }
        int m = Math.min(outIds.length, n.ids.length);
        System.arraycopy(n.ids, 0, outIds, 0, m);
        System.arraycopy(n.weights, 0, outWeights, 0, m);
        return m;
    }

    /** Items with at least one neighbour. */
    public int size() {
        return table.size();
    }

    public int maxNeighbors() {
        return maxNeighbors;
    }

    @Override
    public String toString() {
        return "CoClickTable{items=" + table.size() + ", maxNeighbors=" + maxNeighbors + ", window=" + window + '}';
    }
}
