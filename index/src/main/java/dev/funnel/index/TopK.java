package dev.funnel.index;

/**
 * Keeps the k rows with the highest keys seen: a binary min-heap over two primitive arrays, so
 * selecting from thousands of rows allocates nothing per row. One query, one thread.
 */
final class TopK {

    private final double[] keys;
    private final int[] ords;
    private int size;

    TopK(int k) {
        keys = new double[Math.max(1, k)];
        ords = new int[Math.max(1, k)];
    }

    int capacity() {
        return keys.length;
    }

    int size() {
        return size;
    }

    /** The key a new row must beat once full; -inf before. */
    double threshold() {
        return size < keys.length ? Double.NEGATIVE_INFINITY : keys[0];
    }

    void offer(int ord, double key) {
        if (size < keys.length) {
            int i = size++;
            keys[i] = key;
            ords[i] = ord;
            siftUp(i);
        } else if (key > keys[0] || (key == keys[0] && ord < ords[0])) {
            keys[0] = key;
            ords[0] = ord;
            siftDown(0);
        }
    }

    /**
     * Empties the heap into the arrays, best first (ties: lower ordinal first); returns the count.
     */
    int drainDescending(int[] outOrds, double[] outKeys) {
        int n = size;
        for (int i = n - 1; i >= 0; i--) {
            outOrds[i] = ords[0];
            outKeys[i] = keys[0];
            size--;
            keys[0] = keys[size];
            ords[0] = ords[size];
            siftDown(0);
        }
        return n;
    }

    private boolean less(int a, int b) {
        // "worse" first at the root: lower key, or same key and higher ordinal
        return keys[a] < keys[b] || (keys[a] == keys[b] && ords[a] > ords[b]);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!less(i, p)) {
                break;
            }
            swap(i, p);
            i = p;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int m = l + 1 < size && less(l + 1, l) ? l + 1 : l;
            if (!less(m, i)) {
                return;
            }
            swap(i, m);
            i = m;
        }
    }

    private void swap(int a, int b) {
        double k = keys[a];
        keys[a] = keys[b];
        keys[b] = k;
        int o = ords[a];
        ords[a] = ords[b];
        ords[b] = o;
    }
}
