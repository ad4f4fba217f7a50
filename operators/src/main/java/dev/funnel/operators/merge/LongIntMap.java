package dev.funnel.operators.merge;

/**
 * An open-addressing map from item id to row, sized once per merge: no boxing, no per-entry
 * objects. Not thread-safe (one per request).
 */
final class LongIntMap {

    private static final long EMPTY = Long.MIN_VALUE;

    private final long[] keys;
    private final int[] values;
    private final int mask;
    private boolean hasEmptyKey;
    private int emptyKeyValue = -1;

    /** A map for up to {@code expected} entries (load factor ≤ 0.5). */
    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        keys = new long[cap];
        java.util.Arrays.fill(keys, EMPTY);
        values = new int[cap];
        mask = cap - 1;
    }

    /** The row of {@code key}, or -1. */
    int get(long key) {
        if (key == EMPTY) {
            return hasEmptyKey ? emptyKeyValue : -1;
        }
        int i = slot(key);
        while (true) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == EMPTY) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    /** Maps {@code key} (not yet present) to {@code value}. */
    void put(long key, int value) {
        if (key == EMPTY) {
            hasEmptyKey = true;
            emptyKeyValue = value;
            return;
        }
        int i = slot(key);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
