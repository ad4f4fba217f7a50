package dev.funnel.index;

/** Sorts ordinals by a key, best first, ties by ordinal ascending; a merge sort on primitives. */
final class OrdSort {

    private OrdSort() {
    }

    /** Sorts {@code ords} by {@code keys[ord]} descending (stable from ascending ordinals). */
    static void sortDescending(int[] ords, double[] keys) {
        java.util.Arrays.sort(ords); // ascending ordinals, so a stable sort breaks ties by ordinal
        int[] tmp = new int[ords.length];
        mergeSort(ords, tmp, 0, ords.length, keys);
    }

    /** The same order for long keys (creation times), compared as doubles like {@link ItemIndex#key}. */
    static void sortDescending(int[] ords, long[] keys) {
        double[] k = new double[ords.length];
        int[] pos = ords.clone();
        java.util.Arrays.sort(pos);
        // Keys indexed by position in the ascending copy, then sorted positions mapped back to ordinals.
        int[] idx = new int[pos.length];
        for (int i = 0; i < pos.length; i++) {
            k[i] = (double) keys[pos[i]];
            idx[i] = i;
        }
        int[] tmp = new int[idx.length];
        mergeSort(idx, tmp, 0, idx.length, k);
        for (int i = 0; i < idx.length; i++) {
            ords[i] = pos[idx[i]];
        }
    }

    private static void mergeSort(int[] a, int[] tmp, int lo, int hi, double[] keys) {
        if (hi - lo < 24) {
            for (int i = lo + 1; i < hi; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= lo && keys[a[j]] < keys[v]) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        mergeSort(a, tmp, lo, mid, keys);
        mergeSort(a, tmp, mid, hi, keys);
        if (keys[a[mid - 1]] >= keys[a[mid]]) {
            return;
        }
        System.arraycopy(a, lo, tmp, lo, hi - lo);
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
            if (j >= hi || (i < mid && keys[tmp[i]] >= keys[tmp[j]])) {
                a[k] = tmp[i++];
            } else {
                a[k] = tmp[j++];
            }
        }
    }
}
