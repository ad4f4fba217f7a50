package dev.funnel.exposure;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One user's record of one kind (short- or long-term) in process: a ring of time windows, each a
 * list of growing filter segments. Lock-free: bits are set with atomic OR, segments appended and
 * windows replaced with CAS; readers see a racing write either whole or not yet, which at worst lets
 * one concurrent request miss an item being recorded at that instant. Any thread.
 */
final class WindowedBloom {

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final BloomLayout layout;
    private final AtomicReferenceArray<Window> ring;
    private final AtomicLong bytes;

    /** @param bytes the owner's byte counter, raised and lowered as filters are allocated and dropped */
    WindowedBloom(BloomLayout layout, AtomicLong bytes) {
        this.layout = layout;
        this.ring = new AtomicReferenceArray<>(layout.windowsKept);
        this.bytes = bytes;
    }

    /** Records hashed items in the window of {@code nowMillis}. */
    void add(long nowMillis, long[] hashes, long[] masks1, long[] masks2, int n) {
        if (n == 0) {
            return;
        }
        Window w = windowFor(layout.windowIndex(nowMillis));
        if (w == null) {
            return;
        }
        long pos = w.count.getAndAdd(n);
        for (int i = 0; i < n; i++) {
            long[] words = w.segment(layout.segmentOf(pos + i), layout, bytes);
            WORDS.getAndBitwiseOrRelease(words, BloomLayout.wordIndex(hashes[i], words.length), masks1[i]);
            WORDS.getAndBitwiseOrRelease(words, BloomLayout.wordIndex2(hashes[i], words.length), masks2[i]);
        }
    }

    /**
     * Marks in {@code seen} the rows whose item is in a window still kept at {@code nowMillis};
     * rows already marked are skipped. Returns how many rows it newly marked.
     *
     * <p>Segment {@code s} has the same size in every window, so an item's two word positions in it
     * are computed once ({@code idx1}, {@code idx2}: scratch of at least n) and probed in every
     * window's segment {@code s} in one pass over the candidates.
     */
    int mark(long nowMillis, long[] hashes, long[] masks1, long[] masks2, int n, long[] seen, int[] idx1, int[] idx2) {
        long current = layout.windowIndex(nowMillis);
        long[][] arrays = new long[ring.length()][];
        int marked = 0;
        for (int s = 0; s < BloomLayout.MAX_SEGMENTS; s++) {
            int a = 0;
            for (int slot = 0; slot < ring.length(); slot++) {
                Window w = ring.get(slot);
                if (w == null || w.index > current || w.index <= current - layout.windowsKept) {
                    continue;
                }
                long[][] segs = w.segments;
                if (s < segs.length && segs[s] != null) {
                    arrays[a++] = segs[s];
                }
            }
            if (a == 0) {
                if (s > 0) {
                    break; // segments are used in order: no window has a later one either
                }
                continue;
            }
            int words = layout.words(s);
            for (int i = 0; i < n; i++) {
                idx1[i] = BloomLayout.wordIndex(hashes[i], words);
                idx2[i] = BloomLayout.wordIndex2(hashes[i], words);
            }
            for (int i = 0; i < n; i++) {
                long bit = 1L << i;
                int wi = i >>> 6;
                if ((seen[wi] & bit) != 0) {
                    continue;
                }
                long m1 = masks1[i];
                long m2 = masks2[i];
                int i1 = idx1[i];
                int i2 = idx2[i];
                boolean hit = false;
                for (int k = 0; k < a && !hit; k++) {
                    long[] ws = arrays[k];
                    // Non-short-circuit: both loads issue together, one branch instead of two.
                    hit = (((long) WORDS.getOpaque(ws, i1) & m1) == m1) & (((long) WORDS.getOpaque(ws, i2) & m2) == m2);
                }
                if (hit) {
                    seen[wi] |= bit;
                    marked++;
                }
            }
        }
        return marked;
    }

    private Window windowFor(long index) {
        int slot = (int) Math.floorMod(index, (long) ring.length());
        while (true) {
            Window w = ring.get(slot);
            if (w != null && w.index == index) {
                return w;
            }
            if (w != null && w.index > index) {
                return null; // a write for a window already rotated out: too old to keep
            }
            Window fresh = new Window(index);
            if (ring.compareAndSet(slot, w, fresh)) {
                if (w != null) {
                    bytes.addAndGet(-w.bytes());
                }
                return fresh;
            }
        }
    }

    /** Drops windows no longer kept at {@code nowMillis}; returns whether anything is left. */
    boolean expire(long nowMillis) {
        long current = layout.windowIndex(nowMillis);
        boolean any = false;
        for (int slot = 0; slot < ring.length(); slot++) {
            Window w = ring.get(slot);
            if (w == null) {
                continue;
            }
            if (w.index <= current - layout.windowsKept) {
                if (ring.compareAndSet(slot, w, null)) {
                    bytes.addAndGet(-w.bytes());
                }
            } else {
                any = true;
            }
        }
        return any;
    }

    long bytes() {
        long b = 0;
        for (int slot = 0; slot < ring.length(); slot++) {
            Window w = ring.get(slot);
            if (w != null) {
                b += w.bytes();
            }
        }
        return b;
    }

    /** Windows present, for snapshots; slots may change concurrently. */
    Window[] windows() {
        Window[] out = new Window[ring.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ring.get(i);
        }
        return out;
    }

    /** Puts a restored window in its slot; before the store is published. */
    void restore(Window w) {
        ring.set((int) Math.floorMod(w.index, (long) ring.length()), w);
        bytes.addAndGet(w.bytes());
    }

    /** One time window: an item counter and its segments (null until first used). */
    static final class Window {
        private static final VarHandle SEGMENTS;

        static {
            try {
                SEGMENTS = MethodHandles.lookup().findVarHandle(Window.class, "segments", long[][].class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long index;
        final AtomicLong count = new AtomicLong();
        volatile long[][] segments;

        Window(long index) {
            this.index = index;
            this.segments = new long[0][];
        }

        long[] segment(int s, BloomLayout layout, AtomicLong bytes) {
            while (true) {
                long[][] segs = segments;
                if (s < segs.length && segs[s] != null) {
                    return segs[s];
                }
                long[][] next = java.util.Arrays.copyOf(segs, Math.max(segs.length, s + 1));
                long[] words = new long[layout.words(s)];
                next[s] = words;
                if (SEGMENTS.compareAndSet(this, segs, next)) {
                    bytes.addAndGet(8L * words.length);
                    return words;
                }
            }
        }

        long bytes() {
            long b = 0;
            for (long[] s : segments) {
                if (s != null) {
                    b += 8L * s.length;
                }
            }
            return b;
        }
    }
}
