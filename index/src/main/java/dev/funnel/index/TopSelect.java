package dev.funnel.index;

/**
 * Keeps the k rows with the highest keys seen (ties: lower ordinal first), like {@link TopK}, for
 * large k over many offers: offers are appended to a buffer of 2k and, when it fills, one selection
 * pass keeps the best k and raises the bar a later offer must reach. That costs amortized O(1) per
 * offer where a heap of k pays a sift of log k levels of unpredictable branches for each offer that
 * beats its root (~k·ln(n/k) of n random offers: thousands for k = 500). One query, one thread.
 */
final class TopSelect {

    private final int k;
    private final double[] keys;
    private final int[] ords;
    private int size;
    /** Once a selection kept k rows: the worst kept key; an offer below it cannot enter. */
    private double bar = Double.NEGATIVE_INFINITY;

    TopSelect(int k) {
        this.k = Math.max(1, k);
        int cap = Math.max(64, 2 * this.k);
        keys = new double[cap];
        ords = new int[cap];
    }

    /** The key an offer must reach to possibly enter; -inf until k rows were kept by a selection. */
    double threshold() {
        return bar;
    }

    void offer(int ord, double key) {
        if (key < bar) {
            return;
        }
        if (size == keys.length) {
            select();
            if (key < bar) {
                return;
            }
        }
        keys[size] = key;
        ords[size] = ord;
        size++;
    }

    /** Rows kept so far, at most k after {@link #drainDescending}; more in between selections. */
    int size() {
        return size;
    }

    /** Writes the best min(k, offered) rows best first (ties: lower ordinal first); returns the count. Empties it. */
    int drainDescending(int[] outOrds, double[] outKeys) {
        select();
        sort(0, size - 1);
        int n = size;
        System.arraycopy(ords, 0, outOrds, 0, n);
        System.arraycopy(keys, 0, outKeys, 0, n);
        size = 0;
        bar = Double.NEGATIVE_INFINITY;
        return n;
    }

    /** Keeps the best k of the buffer in [0, k) (unordered) and sets the bar to the worst of them. */
    private void select() {
        if (size <= k) {
            return;
        }
        int lo = 0;
        int hi = size - 1;
        int want = k - 1; // the position of the k-th best once partitioned best first
        while (lo < hi) {
            int p = partition(lo, hi, lo + ((hi - lo) >>> 1));
            if (p == want) {
                break;
            } else if (p < want) {
                lo = p + 1;
            } else {
                hi = p - 1;
            }
        }
        size = k;
        bar = keys[want]; // the k-th best: the partitions left every better row before it
    }

    /** Lomuto partition of [lo, hi] around the pivot, best first; returns the pivot's final position. */
    private int partition(int lo, int hi, int pivot) {
        double pk = keys[pivot];
        int po = ords[pivot];
        swap(pivot, hi);
        int store = lo;
        for (int i = lo; i < hi; i++) {
            if (better(keys[i], ords[i], pk, po)) {
                swap(i, store++);
            }
        }
        swap(store, hi);
        return store;
    }

    private void sort(int lo, int hi) {
        while (lo < hi) {
            if (hi - lo < 16) {
                for (int i = lo + 1; i <= hi; i++) {
                    for (int j = i; j > lo && better(keys[j], ords[j], keys[j - 1], ords[j - 1]); j--) {
                        swap(j, j - 1);
                    }
                }
                return;
            }
            int p = partition(lo, hi, lo + ((hi - lo) >>> 1));
            if (p - lo < hi - p) { // recurse into the smaller side: stack depth stays logarithmic
                sort(lo, p - 1);
                lo = p + 1;
            } else {
                sort(p + 1, hi);
                hi = p - 1;
            }
        }
    }

    private static boolean better(double ka, int oa, double kb, int ob) {
        return ka > kb || (ka == kb && oa < ob);
    }

    private void swap(int a, int b) {
        double kk = keys[a];
        keys[a] = keys[b];
        keys[b] = kk;
        int o = ords[a];
        ords[a] = ords[b];
        ords[b] = o;
    }
}
