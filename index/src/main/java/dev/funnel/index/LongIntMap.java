package dev.funnel.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Open-addressing map from a positive long key to an int, written by one thread at a time (the
 * index's writer, under its lock) and read by any number of threads without locks.
 *
 * <p>Why readers are safe: a slot's value is written before its key is published with release
 * semantics, and readers load the key with acquire, so a visible key always has its value. Keys
 * are never removed (a removal stores {@link #MISSING} as the value), so a probe chain never
 * breaks. A resize builds a complete new table and publishes it through a volatile field; a reader
 * works on the one table it loaded.
 */
final class LongIntMap {

    /** Value returned for an absent or removed key. */
    static final int MISSING = -1;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private static final class Table {
        final long[] keys; // 0 = empty slot
        final int[] values;
        final int mask;

        Table(int capacity) {
            keys = new long[capacity];
            values = new int[capacity];
            mask = capacity - 1;
        }
    }

    private volatile Table table;
    private int used; // writer only: slots with a key

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        table = new Table(cap);
    }

    /** Any thread. */
    int get(long key) {
        Table t = table;
        int i = mix(key) & t.mask;
        while (true) {
            long k = (long) LONGS.getAcquire(t.keys, i);
            if (k == key) {
                return (int) INTS.getVolatile(t.values, i);
            }
            if (k == 0) {
                return MISSING;
            }
            i = (i + 1) & t.mask;
        }
    }

    /** Writer only. {@code value} may be {@link #MISSING} to remove. */
    void put(long key, int value) {
        Table t = table;
        int i = mix(key) & t.mask;
        while (true) {
            long k = t.keys[i];
            if (k == key) {
                INTS.setVolatile(t.values, i, value);
                return;
            }
            if (k == 0) {
                break;
            }
            i = (i + 1) & t.mask;
        }
        if (value == MISSING) {
            return;
        }
        if ((used + 1) * 2 > t.keys.length) {
            t = grow(t);
            i = mix(key) & t.mask;
            while (t.keys[i] != 0) {
                i = (i + 1) & t.mask;
            }
        }
        t.values[i] = value;
        LONGS.setRelease(t.keys, i, key);
        used++;
    }

    private Table grow(Table old) {
        Table t = new Table(old.keys.length * 2);
        int n = 0;
        for (int j = 0; j < old.keys.length; j++) {
            long k = old.keys[j];
            int v = old.values[j];
            if (k != 0 && v != MISSING) {
                int i = mix(k) & t.mask;
                while (t.keys[i] != 0) {
                    i = (i + 1) & t.mask;
                }
                t.keys[i] = k;
                t.values[i] = v;
                n++;
            }
        }
        used = n;
        table = t; // volatile publish: the new table is complete
        return t;
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
