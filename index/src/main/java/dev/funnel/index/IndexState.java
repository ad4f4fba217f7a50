package dev.funnel.index;

import org.roaringbitmap.RoaringBitmap;

/**
 * One published version of the index: immutable once the writer stores it in
 * {@link ItemIndex}'s volatile field. Readers load it once per query and see a consistent catalog:
 * the live set, the posting lists and the score-ordered lists all describe the same moment.
 *
 * <p>The columns' arrays may be shared with later states (the writer only appends rows beyond
 * {@link #rows}); the bitmaps and arrays here are never modified after publication.
 */
final class IndexState {

    final long version;
    final Columns columns;
    /** Rows written; every ordinal below this is readable. */
    final int rows;
    /** Ordinals of live (not deleted, not replaced) items. */
    final RoaringBitmap live;
    /** Posting list per term ordinal; live ordinals only; null for a term with none yet. */
    final RoaringBitmap[] postings;
    /** Per {@link ScoreField}: ordinals sorted best first as of the last rebuild (may hold dead ones). */
    final int[][] ranked;
    /** Ordinals appended since the last rebuild of {@link #ranked}, unsorted (may hold dead ones). */
    final int[] tail;
    final int tailSize;

    IndexState(long version, Columns columns, int rows, RoaringBitmap live, RoaringBitmap[] postings,
               int[][] ranked, int[] tail, int tailSize) {
        this.version = version;
        this.columns = columns;
        this.rows = rows;
        this.live = live;
        this.postings = postings;
        this.ranked = ranked;
        this.tail = tail;
        this.tailSize = tailSize;
    }

    static IndexState empty(int capacity) {
        return new IndexState(0, new Columns(capacity), 0, new RoaringBitmap(), new RoaringBitmap[0],
                new int[][] {new int[0], new int[0]}, new int[0], 0);
    }

    RoaringBitmap posting(int term) {
        return term >= 0 && term < postings.length && postings[term] != null ? postings[term] : EMPTY;
    }

    static final RoaringBitmap EMPTY = new RoaringBitmap();
}
