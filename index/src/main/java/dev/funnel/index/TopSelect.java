package dev.funnel.index;

import java.util.Arrays;

/**
 * Keeps the k rows with the highest keys seen (ties: lower ordinal first), like {@link TopK}, for
 * large k over many offers: offers are appended to a buffer of 2k and, when it fills, one selection
 * pass keeps the best k and raises the bar a later offer must reach. That costs amortized O(1) per
 * offer where a heap of k pays a sift of log k levels of unpredictable branches for each offer that
 * beats its root (~k·ln(n/k) of n random offers: thousands for k = 500). One query, one thread.
 *
 * <p>A row is one {@code long}: the key's float bits made order-preserving as a signed int in the
 * high half, the complemented ordinal in the low half, so "better" (higher key, then lower
 * ordinal) is one signed comparison, a swap moves one word, and the final order is a primitive
 * sort. Keys are floats (the scores they rank are); a NaN key is never kept, and -0 ranks as 0.
 * Public for the operators' stages that keep hundreds of a thousand candidates
 * ({@code dev.funnel.operators.rank.TopRows}).
 */
public final class TopSelect {

    private final int k;
    private final long[] rows;
    private int size;
    /** Once a selection kept k rows: the worst kept key; an offer below it cannot enter. */
    private float bar = Float.NEGATIVE_INFINITY;

    /** A selection of the best {@code k} rows (at least 1). */
    public TopSelect(int k) {
        this.k = Math.max(1, k);
        rows = new long[Math.max(64, 2 * this.k)];
    }

    /** The key an offer must reach to possibly enter; -inf until k rows were kept by a selection. */
    public float threshold() {
        return bar;
    }

    /** Offers row {@code ord} (distinct per offer) with {@code key}; a NaN key is dropped. */
    public void offer(int ord, float key) {
        if (!(key >= bar)) { // also drops NaN
            return;
        }
        if (size == rows.length) {
            select();
            if (key < bar) {
                return;
            }
        }
        rows[size++] = pack(ord, key);
    }

    /** Rows kept so far, at most k after {@link #drainDescending}; more in between selections. */
    public int size() {
        return size;
    }

    /** Writes the best min(k, offered) rows best first (ties: lower ordinal first); returns the count. Empties it. */
    public int drainDescending(int[] outOrds, float[] outKeys) {
        select();
        int n = size;
        Arrays.sort(rows, 0, n); // ascending: the best row last
        for (int i = 0; i < n; i++) {
            long row = rows[n - 1 - i];
            outOrds[i] = ~(int) row;
            outKeys[i] = keyOf(row);
        }
        size = 0;
        bar = Float.NEGATIVE_INFINITY;
        return n;
    }

    /** Keeps the best k of the buffer in [0, k) (unordered) and sets the bar to the worst of them. */
    private void select() {
        if (size <= k) {
            return;
        }
        long[] a = rows;
        int lo = 0;
        int hi = size - 1;
        int want = k - 1; // the position of the k-th best once partitioned best first
        while (lo < hi) {
            int mid = lo + ((hi - lo) >>> 1);
            long pivot = a[mid];
            a[mid] = a[hi];
            a[hi] = pivot;
            int store = lo;
            for (int i = lo; i < hi; i++) { // Lomuto, best first, without a branch on the comparison
                // Every element swaps with a[store]; store advances past the better ones. For a worse
                // v both a[store] and v are worse than the pivot, so [store, i] stays all worse. A
                // branch here is a coin flip on each element of a random buffer, mispredicted half
                // the time; the comparison as a 0/1 add is not.
                long v = a[i];
                a[i] = a[store];
                a[store] = v;
                store += v > pivot ? 1 : 0;
            }
            a[hi] = a[store];
            a[store] = pivot;
            if (store == want) {
                break;
            } else if (store < want) {
                lo = store + 1;
            } else {
                hi = store - 1;
            }
        }
        size = k;
        bar = keyOf(a[want]); // the k-th best: the partitions left every better row before it
    }

    /** The row of (ord, key): higher keys, then lower ordinals, compare greater as signed longs. */
    static long pack(int ord, float key) {
        int bits = Float.floatToRawIntBits(key + 0.0f); // -0 + 0 is +0: one bit pattern for zero
        bits ^= (bits >> 31) & 0x7fffffff; // negative floats: reverse their order below the positives
        return ((long) bits << 32) | (~ord & 0xffffffffL);
    }

    static float keyOf(long row) {
        int bits = (int) (row >>> 32);
        return Float.intBitsToFloat(bits ^ ((bits >> 31) & 0x7fffffff));
    }
}
