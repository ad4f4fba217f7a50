package dev.funnel.exposure;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Segment {@code s} of up to {@value #COLUMNS} closed windows of one record, bit-sliced: one plane
 * per filter bit position, whose bit {@code c} is that filter bit in the window of column {@code c}.
 * Probing an item in all of them at once takes one load per bit of its two masks (2k loads, ten by
 * default) where probing the windows one by one takes two per window (sixty with thirty daily
 * windows). The bits are exactly the windows' bits, so answers and false-positive rate are
 * unchanged; expiry stays per window, by masking out the columns of windows no longer kept.
 *
 * <p>A plane is a {@code byte}, {@code short} or {@code int} (up to 8, 16 or 32 columns), so a
 * block of at least {@link #MIN_COLUMNS} windows takes at most twice their memory (exactly theirs
 * when its planes are full). Expiry frees columns, which new windows take; when few are left the
 * next compaction renumbers them into narrower planes.
 *
 * <p>A sparse block also keeps a gate: the OR of its columns' words and of every window's segment
 * {@code s} not in the block (the open windows'), an ordinary two-word filter holding every item
 * of segment {@code s} of the record. The writer keeps it so ({@link #addToGate} with each item
 * it records in such a segment). An item the gate rules out (two loads, like one window's
 * segment) is in no column and no open segment, so only the few it passes pay the 2k plane loads
 * and the open segments' loads ({@link #probeWithOpen}); the gate is kept only where it rules out
 * most items ({@link #MAX_GATE_PASS}), since a dense block's OR passes nearly everything. Expired
 * columns and windows stay in the gate until the next compaction rebuilds it: the gate may pass
 * more, never fewer, items than the record holds.
 *
 * <p>Planes immutable once built, gate bits only ever added (atomic OR); published through a
 * volatile field, read by any thread.
 */
final class ClosedWindows {

    /** Most columns of one block: the bits of an {@code int}. */
    static final int COLUMNS = 32;
    /** Fewest windows worth compacting: half of the narrowest plane. */
    static final int MIN_COLUMNS = 4;

    /** Window index of a free column. */
    static final long EMPTY = Long.MIN_VALUE;

    /**
     * Highest expected share of never-seen items the gate may pass for a block to keep it: the
     * gate costs about a third of a plane probe, so it pays while it stops most items.
     */
    static final double MAX_GATE_PASS = 0.15;

    private static final VarHandle GATE = MethodHandles.arrayElementVarHandle(long[].class);

    final int words;
    /** Columns in use. */
    final int columns;
    /** Column positions, used or free: every window index below it. */
    final int slots;
    /** Window index of each column, {@link #EMPTY} when free. */
    private final long[] windowIndex;
    /** {@code planes[word * 64 + bit]}: bit {@code c} set when column {@code c}'s word has that bit; one of the three is set. */
    private final byte[] planes8;
    private final short[] planes16;
    private final int[] planes32;
    /** The OR of every column's and open segment's words, or null where that would pass too many items to pay. */
    private final long[] gate;

    private ClosedWindows(int words, long[] windowIndex, int slots, int columns, int[] planes, int k, long[] open) {
        this.words = words;
        this.windowIndex = windowIndex;
        this.slots = slots;
        this.columns = columns;
        if (planeBits(slots) == 8) {
            planes8 = new byte[planes.length];
            for (int p = 0; p < planes.length; p++) {
                planes8[p] = (byte) planes[p];
            }
            planes16 = null;
            planes32 = null;
        } else if (planeBits(slots) == 16) {
            planes8 = null;
            planes16 = new short[planes.length];
            for (int p = 0; p < planes.length; p++) {
                planes16[p] = (short) planes[p];
            }
            planes32 = null;
        } else {
            planes8 = null;
            planes16 = null;
            planes32 = planes;
        }
        this.gate = gateOf(words, planes, k, open);
    }

    /**
     * The OR of the columns' words and {@code open} (null: none) when a never-seen item passes it
     * (both of its words) with an expected probability of at most {@link #MAX_GATE_PASS}, else null.
     * An item's k bits in a word with {@code b} bits set are all there with probability about
     * {@code (b / 64)^k}.
     */
    static long[] gateOf(int words, int[] planes, int k, long[] open) {
        long[] gate = new long[words];
        double pass = 0;
        for (int i = 0; i < words; i++) {
            long g = open == null ? 0 : open[i];
            int row = i << 6;
            for (int b = 0; b < 64; b++) {
                g |= (long) (planes[row + b] != 0 ? 1 : 0) << b;
            }
            gate[i] = g;
            pass += Math.pow(Long.bitCount(g) / 64.0, k);
        }
        double perWord = pass / words;
        return perWord * perWord <= MAX_GATE_PASS ? gate : null;
    }

    /** Whether this block probes through a gate, which the writer must keep ({@link #addToGate}). */
    boolean gated() {
        return gate != null;
    }

    /** Adds to the gate an item recorded in an open window's segment of this block's size; no-op without a gate. */
    void addToGate(long hash, long mask1, long mask2) {
        if (gate != null) {
            GATE.getAndBitwiseOrRelease(gate, BloomLayout.wordIndex(hash, words), mask1);
            GATE.getAndBitwiseOrRelease(gate, BloomLayout.wordIndex2(hash, words), mask2);
        }
    }

    /** Bits of the plane a block of {@code slots} column positions uses. */
    static int planeBits(int slots) {
        return slots <= 8 ? 8 : slots <= 16 ? 16 : 32;
    }

    /**
     * Builds a block whose column {@code c} (for {@code c} below {@link #COLUMNS}) holds window
     * {@code windowIndex[c]} ({@link #EMPTY}: none): the OR of that column of {@code from} when
     * {@code keep} has bit {@code c}, and of the window segment {@code arrays[c]} when not null.
     * Columns keep their positions from one build to the next, so the old planes are copied whole
     * and only new windows' bits are scattered: a daily rebuild costs a copy, not a transposition.
     * {@code open}: the OR of every segment of this size left out of the block (null: none), for the gate.
     */
    static ClosedWindows build(int words, int k, long[] windowIndex, ClosedWindows from, int keep, long[][] arrays,
                               long[] open) {
        int slots = 0;
        int columns = 0;
        for (int c = 0; c < COLUMNS; c++) {
            if (windowIndex[c] != EMPTY) {
                slots = c + 1;
                columns++;
            }
        }
        if (columns == 0) {
            throw new IllegalArgumentException("a block needs at least one column");
        }
        int[] planes = new int[words * 64];
        if (from != null && keep != 0) {
            if (from.words != words) {
                throw new IllegalArgumentException("blocks of " + from.words + " and " + words + " words");
            }
            for (int p = 0; p < planes.length; p++) {
                planes[p] = from.plane(p) & keep; // also drops the sign extension of narrow planes
            }
        }
        for (int c = 0; c < slots; c++) {
            long[] src = arrays[c];
            if (src == null) {
                continue;
            }
            int bit = 1 << c;
            for (int i = 0; i < words; i++) {
                int row = i << 6;
                for (long m = src[i]; m != 0; m &= m - 1) {
                    planes[row + Long.numberOfTrailingZeros(m)] |= bit;
                }
            }
        }
        return new ClosedWindows(words, Arrays.copyOf(windowIndex, slots), slots, columns, planes, k, open);
    }

    long windowIndex(int column) {
        return windowIndex[column];
    }

    private int plane(int p) {
        return planes32 != null ? planes32[p] : planes16 != null ? planes16[p] : planes8[p];
    }

    /** Column {@code column}'s filter word {@code i}, reassembled (compaction and snapshots; not a hot path). */
    long word(int column, int i) {
        long x = 0;
        int row = i << 6;
        for (int b = 0; b < 64; b++) {
            x |= (long) ((plane(row + b) >>> column) & 1) << b;
        }
        return x;
    }

    /** Column of window {@code index}, or -1. */
    int columnOf(long index) {
        for (int c = 0; c < slots; c++) {
            if (windowIndex[c] == index) {
                return c;
            }
        }
        return -1;
    }

    /** The columns whose window is kept at window {@code current} ({@code kept} windows kept). */
    int liveMask(long current, int kept) {
        int live = 0;
        for (int c = 0; c < slots; c++) {
            long w = windowIndex[c];
            if (w != EMPTY && w <= current && w > current - kept) {
                live |= 1 << c;
            }
        }
        return live;
    }

    long bytes() {
        long planes = (long) words * 64;
        return (planes32 != null ? 4 * planes : planes16 != null ? 2 * planes : planes) + (gate == null ? 0 : 8L * words);
    }

    /**
     * Marks the rows whose item is in one of the {@code live} columns, as
     * {@link WindowedBloom#mark} does; returns how many rows it newly marked. Branch-free apart from
     * the k-iteration mask loops and skipping the second word once the first rules out every column.
     * A gated block is probed with {@link #probeWithOpen} instead, which also covers the open segments.
     * Narrow planes load sign-extended; {@code live} has no bit above the plane's, so that is harmless.
     */
    int probe(int live, long[] hashes, long[] masks1, long[] masks2, int n, long[] seen) {
        int marked = 0;
        for (int base = 0; base < n; base += 64) {
            int end = Math.min(n, base + 64);
            long hits = planes32 != null ? probe32(planes32, live, hashes, masks1, masks2, base, end)
                    : planes16 != null ? probe16(planes16, live, hashes, masks1, masks2, base, end)
                    : probe8(planes8, live, hashes, masks1, masks2, base, end);
            marked += FilterProbes.markHits(seen, base, hits);
        }
        return marked;
    }

    /**
     * For a gated block: marks the rows whose item is in one of the {@code live} columns or in one
     * of {@code open[0..a)} (the kept windows' segments of this size not in the block), as
     * {@link WindowedBloom#mark} does; returns how many rows it newly marked. The gate first (two
     * loads, as one segment); the planes and the open segments only for the items it passes,
     * about a tenth of them (the items seen and a few false positives).
     */
    int probeWithOpen(int live, long[][] open, int a, long[] hashes, long[] masks1, long[] masks2, int n, long[] seen) {
        int marked = 0;
        for (int base = 0; base < n; base += 64) {
            int end = Math.min(n, base + 64);
            marked += FilterProbes.markHits(seen, base, probeGated(gate, live, open, a, hashes, masks1, masks2, base, end));
        }
        return marked;
    }

    private long probeGated(long[] g, int live, long[][] open, int a, long[] hashes, long[] masks1, long[] masks2,
                            int base, int end) {
        long hits = 0;
        for (int i = base; i < end; i++) {
            long h = hashes[i];
            long m1 = masks1[i];
            long m2 = masks2[i];
            int w1 = BloomLayout.wordIndex(h, words);
            int w2 = BloomLayout.wordIndex2(h, words);
            if (((~g[w1] & m1) | (~g[w2] & m2)) == 0) {
                int acc = planes32 != null ? columns32(planes32, live, w1, m1, w2, m2)
                        : planes16 != null ? columns16(planes16, live, w1, m1, w2, m2)
                        : columns8(planes8, live, w1, m1, w2, m2);
                for (int j = 0; j < a; j++) {
                    long[] ws = open[j];
                    acc |= ((~ws[w1] & m1) | (~ws[w2] & m2)) == 0 ? 1 : 0;
                }
                hits |= (long) (acc != 0 ? 1 : 0) << i; // shift counts are mod 64
            }
        }
        return hits;
    }

    /** The live columns whose words {@code w1} and {@code w2} hold every bit of {@code m1} and {@code m2}. */
    private static int columns32(int[] p, int live, int w1, long m1, int w2, long m2) {
        int acc = live;
        for (long m = m1; m != 0; m &= m - 1) {
            acc &= p[(w1 << 6) + Long.numberOfTrailingZeros(m)];
        }
        for (long m = m2; m != 0; m &= m - 1) {
            acc &= p[(w2 << 6) + Long.numberOfTrailingZeros(m)];
        }
        return acc;
    }

    private static int columns16(short[] p, int live, int w1, long m1, int w2, long m2) {
        int acc = live;
        for (long m = m1; m != 0; m &= m - 1) {
            acc &= p[(w1 << 6) + Long.numberOfTrailingZeros(m)];
        }
        for (long m = m2; m != 0; m &= m - 1) {
            acc &= p[(w2 << 6) + Long.numberOfTrailingZeros(m)];
        }
        return acc;
    }

    private static int columns8(byte[] p, int live, int w1, long m1, int w2, long m2) {
        int acc = live;
        for (long m = m1; m != 0; m &= m - 1) {
            acc &= p[(w1 << 6) + Long.numberOfTrailingZeros(m)];
        }
        for (long m = m2; m != 0; m &= m - 1) {
            acc &= p[(w2 << 6) + Long.numberOfTrailingZeros(m)];
        }
        return acc;
    }

    // Three copies of one loop, one per plane width: Java has no generics over primitive arrays.

    private long probe32(int[] p, int live, long[] hashes, long[] masks1, long[] masks2, int base, int end) {
        long hits = 0;
        for (int i = base; i < end; i++) {
            long h = hashes[i];
            int row = BloomLayout.wordIndex(h, words) << 6;
            int acc = live;
            for (long m = masks1[i]; m != 0; m &= m - 1) {
                acc &= p[row + Long.numberOfTrailingZeros(m)];
            }
            if (acc != 0) { // after one word most never-seen items match no column: skip the second
                row = BloomLayout.wordIndex2(h, words) << 6;
                for (long m = masks2[i]; m != 0; m &= m - 1) {
                    acc &= p[row + Long.numberOfTrailingZeros(m)];
                }
            }
            hits |= (long) (acc != 0 ? 1 : 0) << i; // shift counts are mod 64
        }
        return hits;
    }

    private long probe16(short[] p, int live, long[] hashes, long[] masks1, long[] masks2, int base, int end) {
        long hits = 0;
        for (int i = base; i < end; i++) {
            long h = hashes[i];
            int row = BloomLayout.wordIndex(h, words) << 6;
            int acc = live;
            for (long m = masks1[i]; m != 0; m &= m - 1) {
                acc &= p[row + Long.numberOfTrailingZeros(m)];
            }
            if (acc != 0) {
                row = BloomLayout.wordIndex2(h, words) << 6;
                for (long m = masks2[i]; m != 0; m &= m - 1) {
                    acc &= p[row + Long.numberOfTrailingZeros(m)];
                }
            }
            hits |= (long) (acc != 0 ? 1 : 0) << i;
        }
        return hits;
    }

    private long probe8(byte[] p, int live, long[] hashes, long[] masks1, long[] masks2, int base, int end) {
        long hits = 0;
        for (int i = base; i < end; i++) {
            long h = hashes[i];
            int row = BloomLayout.wordIndex(h, words) << 6;
            int acc = live;
            for (long m = masks1[i]; m != 0; m &= m - 1) {
                acc &= p[row + Long.numberOfTrailingZeros(m)];
            }
            if (acc != 0) {
                row = BloomLayout.wordIndex2(h, words) << 6;
                for (long m = masks2[i]; m != 0; m &= m - 1) {
                    acc &= p[row + Long.numberOfTrailingZeros(m)];
                }
            }
            hits |= (long) (acc != 0 ? 1 : 0) << i;
        }
        return hits;
    }
}
