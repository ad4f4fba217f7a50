package dev.funnel.exposure;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One user's record of one kind (short- or long-term) in process: a ring of time windows, each a
 * list of growing filter segments. Closed windows (all but the current one) are compacted, once
 * enough of them share a segment, into a bit-sliced {@link ClosedWindows} block that a lookup probes
 * in one go instead of window by window; so is each full segment of the current window (one that
 * takes no more items), once its segment has a block.
 *
 * <p>Writers of one record serialize on its lock ({@link #add}, {@link #expire}: microseconds;
 * the first write of a window, and a write that fills a segment, also compact: tens of microseconds
 * for a month of daily windows). An event loop writes with {@link #tryAdd}, which never waits: when
 * the lock is busy (maintenance expiring this record, or the same user's request on another loop)
 * the caller hands the write elsewhere. Readers ({@link #mark}) never lock: bits
 * are set with atomic OR, segments and blocks are published through volatile fields, so a reader
 * sees a racing write either whole or not yet, which at worst lets one concurrent request miss an
 * item being recorded at that instant. Any thread.
 */
final class WindowedBloom {

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final BloomLayout layout;
    private final AtomicReferenceArray<Window> ring;
    private final AtomicLong bytes;
    /** Writers' lock: add, compaction, expiry. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Per segment, the compacted closed windows, or null; replaced whole under the lock. */
    private volatile ClosedWindows[] compacted = new ClosedWindows[BloomLayout.MAX_SEGMENTS];
    /** The window index of the last compaction; under the lock. */
    private long compactedAt = Long.MIN_VALUE;

    private final boolean compacting;

    /** @param bytes the owner's byte counter, raised and lowered as filters are allocated and dropped */
    WindowedBloom(BloomLayout layout, AtomicLong bytes) {
        this(layout, bytes, true);
    }

    /** @param compacting false: closed windows stay as they are (tests compare both ways) */
    WindowedBloom(BloomLayout layout, AtomicLong bytes, boolean compacting) {
        this.layout = layout;
        this.ring = new AtomicReferenceArray<>(layout.windowsKept);
        this.bytes = bytes;
        this.compacting = compacting;
    }

    /** Records hashed items in the window of {@code nowMillis}; the first write of a window compacts the closed ones. */
    void add(long nowMillis, long[] hashes, long[] masks1, long[] masks2, int n) {
        lock.lock();
        try {
            addLocked(nowMillis, hashes, masks1, masks2, n);
        } finally {
            lock.unlock();
        }
    }

    /**
     * As {@link #add} if the lock is free now; false, having written nothing, when another writer
     * holds it. Never waits: what an event loop calls.
     */
    boolean tryAdd(long nowMillis, long[] hashes, long[] masks1, long[] masks2, int n) {
        if (!lock.tryLock()) {
            return false;
        }
        try {
            addLocked(nowMillis, hashes, masks1, masks2, n);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** For tests: the writers' lock (hold it to play a writer that is busy). */
    ReentrantLock writersLock() {
        return lock;
    }

    private void addLocked(long nowMillis, long[] hashes, long[] masks1, long[] masks2, int n) {
        if (n == 0) {
            return;
        }
        long index = layout.windowIndex(nowMillis);
        if (index > compactedAt) {
            compact(index);
        }
        Window w = windowFor(index);
        if (w == null) {
            return;
        }
        long pos = w.count.getAndAdd(n);
        ClosedWindows[] blocks = compacted; // replaced only under this lock
        for (int i = 0; i < n; i++) {
            int s = layout.segmentOf(pos + i);
            long[] words = w.segment(s, layout, bytes);
            WORDS.getAndBitwiseOrRelease(words, BloomLayout.wordIndex(hashes[i], words.length), masks1[i]);
            WORDS.getAndBitwiseOrRelease(words, BloomLayout.wordIndex2(hashes[i], words.length), masks2[i]);
            ClosedWindows block = blocks[s];
            if (block != null) {
                block.addToGate(hashes[i], masks1[i], masks2[i]); // after the segment: see mark()
            }
        }
        if (index == compactedAt && layout.segmentOf(pos + n) > layout.segmentOf(pos)) {
            compact(index); // this write filled a segment of the current window: it can join its block
        }
    }

    /**
     * Marks in {@code seen} the rows whose item is in a window still kept at {@code nowMillis};
     * returns how many rows it newly marked.
     *
     * <p>Per segment {@code s}: the block of compacted windows, then the open windows' segment
     * {@code s} in one pass ({@link FilterProbes}: same size in every window, so an item's word
     * positions are computed once for all of them).
     *
     * <p>Filter words are read plainly: the arrays reach this thread through a volatile read (the
     * segment list) and a writer only ever ORs bits in, so a read sees each word as it was at some
     * instant between that publication and now. A mask test that passes on such a value also passes
     * on the word's current value, so a racing write can only make this lookup miss the item being
     * recorded at that instant, never invent one.
     */
    int mark(long nowMillis, long[] hashes, long[] masks1, long[] masks2, int n, long[] seen) {
        long current = layout.windowIndex(nowMillis);
        int slots = ring.length();
        long[][][] segsOf = new long[slots][][];
        for (int slot = 0; slot < slots; slot++) {
            Window w = ring.get(slot);
            if (w != null && w.index <= current && w.index > current - layout.windowsKept) {
                segsOf[slot] = w.segments;
            }
        }
        // Read after the windows: a compaction publishes its blocks before it detaches the window
        // arrays they absorbed, so an array already missing above is in the blocks read here.
        ClosedWindows[] blocks = compacted;
        long[][] arrays = new long[slots][];
        int marked = 0;
        for (int s = 0; s < BloomLayout.MAX_SEGMENTS; s++) {
            int a = 0;
            for (int slot = 0; slot < slots; slot++) {
                long[][] segs = segsOf[slot];
                if (segs != null && s < segs.length && segs[s] != null) {
                    arrays[a++] = segs[s];
                }
            }
            ClosedWindows block = blocks[s];
            int live = block == null ? 0 : block.liveMask(current, layout.windowsKept);
            if (block != null && block.gated()) {
                // The gate holds every segment of this size, so one gated pass covers the open ones
                // too. A writer sets an item's segment bits before its gate bits (and a rebuilt
                // block's gate is built from the segments), so, as above, only an item being
                // recorded at this instant can be missed.
                marked += block.probeWithOpen(live, arrays, a, hashes, masks1, masks2, n, seen);
                continue;
            }
            if (live != 0) {
                marked += block.probe(live, hashes, masks1, masks2, n, seen);
            }
            if (a == 1) {
                marked += FilterProbes.probeOne(arrays[0], hashes, masks1, masks2, n, seen);
            } else if (a > 1) {
                marked += FilterProbes.probeMany(arrays, a, layout.words(s), hashes, masks1, masks2, n, seen);
            }
        }
        return marked;
    }

    /** Compacts the windows closed at {@code nowMillis}, as the first write of a window does. */
    void compactNow(long nowMillis) {
        lock.lock();
        try {
            compact(layout.windowIndex(nowMillis));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves segment {@code s} of the closed windows (index below {@code current}, still kept) into
     * the block of segment {@code s}, newest windows first, up to {@link ClosedWindows#COLUMNS};
     * drops expired columns. The current window's full segments (every one before the segment its
     * next item goes to: positions only grow, so they take no more items) join too: a block costs
     * the same per item whatever its columns, so a user whose windows outgrow their first segment
     * probes one array fewer. A segment is first compacted once {@link ClosedWindows#MIN_COLUMNS}
     * windows have it. Publishes the new blocks, then detaches the absorbed arrays from their windows
     * (the order {@link #mark} relies on). A write that lands later in a closed window (a clock two
     * windows behind) finds the segment detached and starts a fresh array, probed as usual and merged
     * into the column at the next compaction. Under the lock.
     */
    private void compact(long current) {
        compactedAt = current;
        if (!compacting || layout.windowsKept - 1 < ClosedWindows.MIN_COLUMNS) {
            return;
        }
        ClosedWindows[] old = compacted;
        ClosedWindows[] next = old.clone();
        Window[] closed = windows();
        java.util.Arrays.sort(closed, (x, y) -> x == null ? (y == null ? 0 : 1) : y == null ? -1 : Long.compare(y.index, x.index));
        boolean[][] absorbed = new boolean[closed.length][BloomLayout.MAX_SEGMENTS];
        boolean changed = false;
        long delta = 0;
        for (int s = 0; s < BloomLayout.MAX_SEGMENTS; s++) {
            ClosedWindows block = old[s];
            long[] index = new long[ClosedWindows.COLUMNS];
            java.util.Arrays.fill(index, ClosedWindows.EMPTY);
            long[][] arrays = new long[ClosedWindows.COLUMNS][];
            int keep = 0;
            boolean dropped = false;
            if (block != null) {
                for (int c = 0; c < block.slots; c++) {
                    long wi = block.windowIndex(c);
                    if (wi == ClosedWindows.EMPTY) {
                        continue;
                    }
                    if (wi > current - layout.windowsKept) {
                        index[c] = wi;
                        keep |= 1 << c;
                    } else {
                        dropped = true;
                    }
                }
            }
            int columns = Integer.bitCount(keep);
            int[] absorbedFrom = new int[closed.length];
            int fresh = 0;
            for (int k = 0; k < closed.length; k++) {
                Window w = closed[k];
                if (w == null || w.index > current || w.index <= current - layout.windowsKept
                        || w.index == current && s >= layout.segmentOf(w.count.get())) {
                    continue; // not kept, or the current window's segment still taking items
                }
                long[][] segs = w.segments;
                if (s >= segs.length || segs[s] == null) {
                    continue;
                }
                int c = 0;
                while (c < ClosedWindows.COLUMNS && index[c] != w.index) {
                    c++;
                }
                if (c == ClosedWindows.COLUMNS) { // not a column yet: take the first free one
                    c = 0;
                    while (c < ClosedWindows.COLUMNS && index[c] != ClosedWindows.EMPTY) {
                        c++;
                    }
                    if (c == ClosedWindows.COLUMNS) {
                        continue; // the block is full: older windows stay as they are
                    }
                    index[c] = w.index;
                    columns++;
                }
                arrays[c] = segs[s];
                absorbedFrom[fresh++] = k;
            }
            if (fresh == 0 && !dropped || block == null && columns < ClosedWindows.MIN_COLUMNS) {
                continue;
            }
            long[] open = openSegments(closed, s, absorbedFrom, fresh, layout.words(s));
            ClosedWindows built = columns == 0 ? null
                    : ClosedWindows.planeBits(columns) < ClosedWindows.planeBits(slotsUsed(index))
                    ? renumbered(layout.words(s), layout.k, index, block, keep, arrays, open)
                    : ClosedWindows.build(layout.words(s), layout.k, index, block, keep, arrays, open);
            next[s] = built;
            delta += (built == null ? 0 : built.bytes()) - (block == null ? 0 : block.bytes());
            for (int f = 0; f < fresh; f++) {
                absorbed[absorbedFrom[f]][s] = true;
            }
            changed = true;
        }
        if (!changed) {
            return;
        }
        compacted = next;
        for (int k = 0; k < closed.length; k++) {
            Window w = closed[k];
            if (w == null) {
                continue;
            }
            long[][] segs = w.segments;
            long[][] kept = null;
            for (int s = 0; s < segs.length; s++) {
                if (absorbed[k][s]) {
                    kept = kept == null ? segs.clone() : kept;
                    delta -= 8L * kept[s].length;
                    kept[s] = null;
                }
            }
            if (kept != null) {
                w.segments = kept;
            }
        }
        bytes.addAndGet(delta);
    }

    /**
     * The OR of segment {@code s} of every window but those about to be absorbed
     * ({@code closed[absorbedFrom[0..fresh)]}), for a block's gate; null when there is none.
     */
    private static long[] openSegments(Window[] closed, int s, int[] absorbedFrom, int fresh, int words) {
        long[] open = null;
        for (int k = 0; k < closed.length; k++) {
            Window w = closed[k];
            long[][] segs = w == null ? null : w.segments;
            if (segs == null || s >= segs.length || segs[s] == null) {
                continue;
            }
            boolean absorbed = false;
            for (int f = 0; f < fresh; f++) {
                absorbed |= absorbedFrom[f] == k;
            }
            if (!absorbed) {
                open = open == null ? new long[words] : open;
                long[] src = segs[s];
                for (int i = 0; i < words; i++) {
                    open[i] |= src[i];
                }
            }
        }
        return open;
    }

    private static int slotsUsed(long[] index) {
        int slots = 0;
        for (int c = 0; c < index.length; c++) {
            if (index[c] != ClosedWindows.EMPTY) {
                slots = c + 1;
            }
        }
        return slots;
    }

    /**
     * A block of the same columns numbered from 0: once expiry has left a block with few columns
     * spread over wide planes, narrower planes hold them. Reassembles the kept columns' words, slower
     * than a copy; happens only as a record's activity falls.
     */
    private static ClosedWindows renumbered(int words, int k, long[] index, ClosedWindows block, int keep, long[][] arrays,
                                            long[] open) {
        long[] packedIndex = new long[ClosedWindows.COLUMNS];
        java.util.Arrays.fill(packedIndex, ClosedWindows.EMPTY);
        long[][] packed = new long[ClosedWindows.COLUMNS][];
        int p = 0;
        for (int c = 0; c < index.length; c++) {
            if (index[c] == ClosedWindows.EMPTY) {
                continue;
            }
            long[] src = arrays[c];
            if ((keep >>> c & 1) != 0) {
                long[] merged = new long[words];
                for (int i = 0; i < words; i++) {
                    merged[i] = block.word(c, i) | (src == null ? 0 : src[i]);
                }
                src = merged;
            }
            packedIndex[p] = index[c];
            packed[p++] = src;
        }
        return ClosedWindows.build(words, k, packedIndex, null, 0, packed, open);
    }

    /** Columns of the block of segment {@code s} (0: none), for tests. */
    int compactedColumns(int s) {
        ClosedWindows block = compacted[s];
        return block == null ? 0 : block.columns;
    }

    /** Bits per plane of the block of segment {@code s} (0: none), for tests. */
    int compactedPlaneBits(int s) {
        ClosedWindows block = compacted[s];
        return block == null ? 0 : ClosedWindows.planeBits(block.slots);
    }

    /** Whether the block of segment {@code s} probes through a gate, for tests. */
    boolean compactedGated(int s) {
        ClosedWindows block = compacted[s];
        return block != null && block.gated();
    }

    /** A window's segments with the compacted ones filled back in from their columns, for snapshots. */
    long[][] segmentsOf(Window w) {
        long[][] segs = w.segments;
        ClosedWindows[] blocks = compacted;
        long[][] out = segs.clone();
        for (int s = 0; s < blocks.length; s++) {
            ClosedWindows block = blocks[s];
            int c = block == null ? -1 : block.columnOf(w.index);
            if (c < 0) {
                continue;
            }
            if (out.length <= s) {
                out = java.util.Arrays.copyOf(out, s + 1);
            }
            long[] words = new long[block.words];
            for (int i = 0; i < words.length; i++) {
                words[i] = block.word(c, i) | (out[s] == null ? 0 : out[s][i]);
            }
            out[s] = words;
        }
        return out;
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
        lock.lock();
        try {
            return expireLocked(nowMillis);
        } finally {
            lock.unlock();
        }
    }

    private boolean expireLocked(long nowMillis) {
        long current = layout.windowIndex(nowMillis);
        boolean any = false;
        ClosedWindows[] blocks = compacted;
        ClosedWindows[] kept = blocks.clone();
        for (int s = 0; s < kept.length; s++) {
            if (kept[s] != null) {
                if (kept[s].liveMask(current, layout.windowsKept) == 0) {
                    bytes.addAndGet(-kept[s].bytes());
                    kept[s] = null;
                } else {
                    any = true;
                }
            }
        }
        compacted = kept;
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
        for (ClosedWindows block : compacted) {
            if (block != null) {
                b += block.bytes();
            }
        }
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
