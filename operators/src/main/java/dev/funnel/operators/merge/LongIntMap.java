package dev.funnel.operators.merge;

import java.util.Arrays;

/**
 * An open-addressing map from item id to row: no boxing, no per-entry objects, and reusable —
 * {@link #clear} empties it by moving to a new stamp, not by writing its arrays, so a merge on a
 * thread that merged before reads and writes arrays already in its cache instead of zeroing and
 * filling fresh ones (~24 KB for home_feed's 1,000 rows, which cost more than the lookups). Every
 * long is a valid key. Not thread-safe: one per thread ({@link MergeOperator} keeps one per calling
 * thread).
 */
final class LongIntMap {

    private long[] keys = new long[0];
    private int[] values = new int[0];
    /** A slot is taken when its stamp is the current one. */
    private int[] stamps = new int[0];
    private int stamp;
    private int mask = -1;

    /** A map for up to {@code expected} entries (load factor ≤ 0.5). */
    LongIntMap(int expected) {
        clear(expected);
    }

    /** Empties the map and makes room for up to {@code expected} entries (load factor ≤ 0.5). */
    void clear(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        // New arrays when these are too small, or much larger than this merge needs: its probes would spread
        // over memory a small table keeps in cache, and one huge merge would hold its table for good.
        if (keys.length < cap || keys.length > 4 * cap) {
            keys = new long[cap];
            values = new int[cap];
            stamps = new int[cap];
            mask = cap - 1;
            stamp = 0;
        }
        if (++stamp == 0) { // wrapped after 2^32 clears: forget every slot once
            Arrays.fill(stamps, 0);
            stamp = 1;
        }
    }

    /** The row of {@code key}, or -1. */
    int get(long key) {
        int i = slot(key);
        while (stamps[i] == stamp) {
            if (keys[i] == key) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Maps {@code key} (not yet present) to {@code value}; at most the {@code expected} entries of the last clear. */
    void put(long key, int value) {
        int i = slot(key);
        while (stamps[i] == stamp && keys[i] != key) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        stamps[i] = stamp;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
