package dev.funnel.index;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.roaringbitmap.RoaringBitmap;

/**
 * The score-ordered lists of one rebuild: per {@link ScoreField}, every ordinal live at the
 * rebuild, best first (ties: lower ordinal first), and, built on first use, the same order
 * restricted to one term's posting list. Rows appended after the rebuild are in the state's tail,
 * never here; rows deleted since are still here and are dropped by the caller's filter (posting
 * lists and the live set hold live ordinals only). Shared by every {@link IndexState} published until
 * the next rebuild; immutable except for the per-term lists, which any reader may fill (two racing
 * readers compute the same list; either copy may stay).
 */
final class RankedLists {

    /** Per {@link ScoreField#ordinal()}: ordinals live at the rebuild, best first. */
    final int[][] byField;
    /** Rows written at the rebuild: every ordinal at or above this is in a later state's tail. */
    final int rows;
    /** Per score field, per term ordinal below the dictionary size at the rebuild: that term's list, or null until asked. */
    private final AtomicReferenceArray<int[]>[] byTerm;

    @SuppressWarnings("unchecked")
    RankedLists(int[][] byField, int rows, int terms) {
        this.byField = byField;
        this.rows = rows;
        byTerm = new AtomicReferenceArray[byField.length];
        for (int f = 0; f < byField.length; f++) {
            byTerm[f] = new AtomicReferenceArray<>(terms);
        }
    }

    /** The lists of every row live now, {@code rows} written; per-term lists follow on first use. */
    static RankedLists rebuild(Columns c, RoaringBitmap live, int rows, int terms) {
        int[][] byField = new int[ScoreField.values().length][];
        int[] ords = live.toArray();
        for (ScoreField f : ScoreField.values()) {
            int[] sorted = ords.clone();
            sortBy(sorted, f, c);
            byField[f.ordinal()] = sorted;
        }
        return new RankedLists(byField, rows, terms);
    }

    static RankedLists empty() {
        int[][] none = new int[ScoreField.values().length][];
        Arrays.fill(none, new int[0]);
        return new RankedLists(none, 0, 0);
    }

    /**
     * The ordinals below {@link #rows} in term's posting list of {@code s} (a state published since
     * this rebuild), best first by {@code by}; null for a term added after the rebuild. The first
     * call per term and field sorts the list (card · log card); later calls read it.
     */
    int[] inTerm(ScoreField by, int term, IndexState s) {
        AtomicReferenceArray<int[]> lists = byTerm[by.ordinal()];
        if (term < 0 || term >= lists.length()) {
            return null;
        }
        int[] list = lists.get(term);
        if (list == null) {
            list = build(s.posting(term), by, s.columns);
            lists.set(term, list);
        }
        return list;
    }

    private int[] build(RoaringBitmap posting, ScoreField by, Columns c) {
        int[] all = posting.toArray(); // ascending
        int m = Arrays.binarySearch(all, rows);
        int[] ords = Arrays.copyOf(all, m >= 0 ? m : -m - 1);
        sortBy(ords, by, c);
        return ords;
    }

    /** Best first by the field's key ({@link ItemIndex#key}), ties by ordinal. */
    private static void sortBy(int[] ords, ScoreField by, Columns c) {
        if (by == ScoreField.POPULARITY) {
            OrdSort.sortDescending(ords, c.popularity);
        } else {
            OrdSort.sortDescending(ords, c.createdAtMillis);
        }
    }
}
