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

    /**
     * Slot {@code i} is {@code slots[2i]} (the key, 0 = empty) and {@code slots[2i + 1]} (its value):
     * key and value share a cache line, so a lookup that misses the cache misses once, not once in a
     * key array and again in a value array.
     */
    private static final class Table {
        final long[] slots;
        final int mask;

        Table(int capacity) {
            slots = new long[capacity * 2];
            mask = capacity - 1;
        }

        int capacity() {
            return mask + 1;
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
        long[] s = t.slots;
        int i = mix(key) & t.mask;
        while (true) {
            long k = (long) LONGS.getAcquire(s, 2 * i);
            if (k == key) {
                return (int) (long) LONGS.getVolatile(s, 2 * i + 1);
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
            long k = t.slots[2 * i];
            if (k == key) {
                LONGS.setVolatile(t.slots, 2 * i + 1, (long) value);
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
        if ((used + 1) * 2 > t.capacity()) {
            t = grow(t);
            i = mix(key) & t.mask;
            while (t.slots[2 * i] != 0) {
                i = (i + 1) & t.mask;
            }
        }
        t.slots[2 * i + 1] = value;
        LONGS.setRelease(t.slots, 2 * i, key);
        used++;
    }

    private Table grow(Table old) {
        Table t = new Table(old.capacity() * 2);
        int n = 0;
        for (int j = 0; j < old.capacity(); j++) {
            long k = old.slots[2 * j];
            int v = (int) old.slots[2 * j + 1];
            if (k != 0 && v != MISSING) {
                int i = mix(k) & t.mask;
                while (t.slots[2 * i] != 0) {
                    i = (i + 1) & t.mask;
                }
                t.slots[2 * i] = k;
                t.slots[2 * i + 1] = v;
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
