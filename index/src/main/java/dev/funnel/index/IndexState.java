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
    /** Ordinals sorted best first as of the last rebuild, overall and per term (may hold dead ones). */
    final RankedLists ranked;
    /** Ordinals appended since the last rebuild of {@link #ranked}, unsorted (may hold dead ones). */
    final int[] tail;
    final int tailSize;

    IndexState(long version, Columns columns, int rows, RoaringBitmap live, RoaringBitmap[] postings,
               RankedLists ranked, int[] tail, int tailSize) {
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
                RankedLists.empty(), new int[0], 0);
    }

    /**
     * The bitmap as a flat bitset (bit {@code ord} of word {@code ord >>> 6}), for a bitmap this
     * state owns ({@link #live} or one of {@link #postings}): a membership test is then one load,
     * where {@code RoaringBitmap.contains} binary-searches its containers. Built on first use per
     * state and bitmap (a few kilobytes per 100k rows, one copy per 65,536-ordinal container) and
     * kept in a small cache that racing readers may each fill; a lost entry is only rebuilt.
     */
    long[] words(RoaringBitmap owned) {
        Object[] cache = wordsCache; // [bitmap, words, bitmap, words, ...]
        for (int i = 0; i < cache.length; i += 2) {
            if (cache[i] == owned) {
                return (long[]) cache[i + 1];
            }
        }
        long[] w = wordsOf(owned);
        Object[] next = new Object[Math.min(cache.length + 2, 2 * WORDS_CACHED)];
        next[0] = owned;
        next[1] = w;
        System.arraycopy(cache, 0, next, 2, next.length - 2);
        wordsCache = next;
        return w;
    }

    /** Bitsets per state; more filters than this in turn only rebuild. */
    private static final int WORDS_CACHED = 8;
    private volatile Object[] wordsCache = new Object[0];

    static long[] wordsOf(RoaringBitmap b) {
        if (b.isEmpty()) {
            return new long[0];
        }
        long[] w = new long[((b.last() >>> 16) + 1) * WORDS_PER_CONTAINER];
        org.roaringbitmap.ContainerPointer cp = b.getContainerPointer();
        for (org.roaringbitmap.Container c = cp.getContainer(); c != null; c = cp.getContainer()) {
            c.toBitmapContainer().copyBitmapTo(w, cp.key() * WORDS_PER_CONTAINER);
            cp.advance();
        }
        return w;
    }

    private static final int WORDS_PER_CONTAINER = 1 << 10; // 65,536 bits

    /** Whether bit {@code ord} is set in {@link #words}'s bitset. */
    static boolean has(long[] words, int ord) {
        int w = ord >>> 6;
        return w < words.length && (words[w] & (1L << ord)) != 0;
    }

    RoaringBitmap posting(int term) {
        return term >= 0 && term < postings.length && postings[term] != null ? postings[term] : EMPTY;
    }

    static final RoaringBitmap EMPTY = new RoaringBitmap();
}
