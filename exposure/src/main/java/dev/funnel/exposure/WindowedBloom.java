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
     * returns how many rows it newly marked.
     *
     * <p>Segment {@code s} has the same size in every window, so an item's two word positions in it
     * are computed once per segment and probed in every window's segment {@code s}. The probe is
     * branch-free (about a fifth of the candidates are seen, a branch on the answer would mispredict
     * often): hits of 64 rows gather in a register and are OR-ed into {@code seen} once.
     *
     * <p>Filter words are read plainly: the arrays reach this thread through a volatile read (the
     * segment list) and a writer only ever ORs bits in, so a read sees each word as it was at some
     * instant between that publication and now. A mask test that passes on such a value also passes
     * on the word's current value, so a racing write can only make this lookup miss the item being
     * recorded at that instant, never invent one.
     */
    int mark(long nowMillis, long[] hashes, long[] masks1, long[] masks2, int n, long[] seen) {
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
            marked += a == 1
                    ? probeOne(arrays[0], hashes, masks1, masks2, n, seen)
                    : probeMany(arrays, a, layout.words(s), hashes, masks1, masks2, n, seen);
        }
        return marked;
    }

    private static int probeOne(long[] ws, long[] hashes, long[] masks1, long[] masks2, int n, long[] seen) {
        int words = ws.length;
        int marked = 0;
        for (int base = 0; base < n; base += 64) {
            int end = Math.min(n, base + 64);
            long hits = 0;
            for (int i = base; i < end; i++) {
                long h = hashes[i];
                long m1 = masks1[i];
                long m2 = masks2[i];
                long missing = (~ws[BloomLayout.wordIndex(h, words)] & m1) | (~ws[BloomLayout.wordIndex2(h, words)] & m2);
                hits |= (long) ((missing == 0) ? 1 : 0) << i; // shift counts are mod 64: i is row base + (i - base)
            }
            int wi = base >>> 6;
            long fresh = hits & ~seen[wi];
            seen[wi] |= fresh;
            marked += Long.bitCount(fresh);
        }
        return marked;
    }

    private static int probeMany(long[][] arrays, int a, int words, long[] hashes, long[] masks1, long[] masks2,
                                 int n, long[] seen) {
        int marked = 0;
        for (int base = 0; base < n; base += 64) {
            int end = Math.min(n, base + 64);
            long hits = 0;
            for (int i = base; i < end; i++) {
                long h = hashes[i];
                long m1 = masks1[i];
                long m2 = masks2[i];
                int i1 = BloomLayout.wordIndex(h, words);
                int i2 = BloomLayout.wordIndex2(h, words);
                int hit = 0;
                for (int k = 0; k < a; k++) {
                    long[] ws = arrays[k];
                    hit |= ((~ws[i1] & m1) | (~ws[i2] & m2)) == 0 ? 1 : 0;
                }
                hits |= (long) hit << i;
            }
            int wi = base >>> 6;
            long fresh = hits & ~seen[wi];
            seen[wi] |= fresh;
            marked += Long.bitCount(fresh);
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
