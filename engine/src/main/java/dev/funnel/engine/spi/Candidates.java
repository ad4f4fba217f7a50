package dev.funnel.engine.spi;

import java.util.Arrays;

/**
 * A ranked list of candidate items with provenance, stored column-wise so a stage over thousands
 * of candidates allocates a few arrays, not an object per item. Immutable once built: stages make
 * new lists with {@link #select}, {@link #withScores} or a {@link Builder}.
 *
 * <p>Provenance: {@link #sources()} names the branches (recall node ids) that fed this list; for
 * each item, {@link #sourceMask(int)} has bit {@code j} set when {@code sources()[j]} found it,
 * and {@link #sourceScore(int, int)} gives that branch's score ({@code NaN} when it did not).
 * At most 64 sources.
 */
public final class Candidates {

    /** No candidates, no sources. */
    public static final Candidates EMPTY = new Candidates(0, new long[0], new float[0],
            new Provenance(new String[0], new long[0], new float[0]), null);

    /** Upper bound on distinct provenance sources in one list. */
    public static final int MAX_SOURCES = 64;

    private final int size;
    private final long[] ids;
    private final float[] scores;
    private final Provenance provenance;
    /**
     * Row i's row in {@link #provenance}, or null where they are the same row. A list made by
     * {@link #select} shares its parent's provenance through this map instead of copying the masks
     * and the {@code size × sources} source scores: a request's stages select from one merged list
     * of a thousand rows several times, and those copies were a sixth of what a request allocated.
     */
    private final int[] origin;

    /**
     * Which sources found each row and their scores, for the rows of the list that made it; shared,
     * read only, by every list selected from that one.
     */
    private static final class Provenance {
        final String[] sources;
        /** Per row, bit j when source j found it; null: one source, which found every row. */
        final long[] masks;
        /** Row-major, {@code rows × sources.length}; NaN where the source did not find the item. */
        final float[] scores;

        Provenance(String[] sources, long[] masks, float[] scores) {
            this.sources = sources;
            this.masks = masks;
            this.scores = scores;
        }
    }

    private Candidates(int size, long[] ids, float[] scores, Provenance provenance, int[] origin) {
        this.size = size;
        this.ids = ids;
        this.scores = scores;
        this.provenance = provenance;
        this.origin = origin;
    }

    /**
     * A list found by one source: item {@code i} is {@code ids[i]} with {@code scores[i]}.
     * The arrays are copied up to {@code size}; a caller that made them for this list alone hands
     * them over with {@link #ofSource} instead.
     */
    public static Candidates fromSource(String source, long[] ids, float[] scores, int size) {
        return ofSource(source, Arrays.copyOf(ids, size), Arrays.copyOf(scores, size), size);
    }

    /**
     * As {@link #fromSource}, but the list takes the arrays, not copies: the caller must not write
     * them afterwards (a recall that allocated them for this request's answer). The source scores are
     * the scores and every row's mask is the one source's bit, so neither is copied or stored.
     */
    public static Candidates ofSource(String source, long[] ids, float[] scores, int size) {
        if (size < 0 || size > ids.length || size > scores.length) {
            throw new IllegalArgumentException("size " + size + " for " + ids.length + " ids and " + scores.length + " scores");
        }
        return new Candidates(size, ids, scores, new Provenance(new String[] {source}, null, scores), null);
    }

    /** A builder for a list with these sources (at most {@link #MAX_SOURCES}). */
    public static Builder builder(String[] sources, int expectedSize) {
        return new Builder(sources, expectedSize);
    }

    /** Number of items. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Item id at position i. */
    public long id(int i) {
        return ids[i];
    }

    /** Current score at position i (the latest stage's). */
    public float score(int i) {
        return scores[i];
    }

    /** The provenance sources of this list; do not modify. */
    public String[] sources() {
        return provenance.sources;
    }

    /** Bit j set when {@code sources()[j]} found item i. */
    public long sourceMask(int i) {
        long[] masks = provenance.masks;
        return masks == null ? 1L : masks[rowOf(i)];
    }

    /** The score source j gave item i, or NaN. */
    public float sourceScore(int i, int j) {
        return provenance.scores[rowOf(i) * provenance.sources.length + j];
    }

    private int rowOf(int i) {
        return origin == null ? i : origin[i];
    }

    /**
     * The ids, in order, in the list's own array, for a stage that hands hundreds of ids to a
     * lookup without copying them: read only (do not modify it; the list is shared by every stage
     * after this one), and entries from {@link #size()} on are not the list's.
     */
    public long[] idsView() {
        return ids;
    }

    /** A copy of the ids, in order. */
    public long[] idsCopy() {
        return Arrays.copyOf(ids, size);
    }

    /** A copy of the scores, in order. */
    public float[] scoresCopy() {
        return Arrays.copyOf(scores, size);
    }

    /**
     * The items at positions {@code rows[0..n)}, in that order, with provenance kept.
     */
    public Candidates select(int[] rows, int n) {
        return select(rows, n, null);
    }

    /**
     * The items at positions {@code rows[0..n)}, in that order, with new scores
     * ({@code newScores[k]} for {@code rows[k]}; null keeps the old ones).
     */
    public Candidates select(int[] rows, int n, float[] newScores) {
        long[] nIds = new long[n];
        float[] nScores = new float[n];
        int[] nOrigin = new int[n];
        // One gather loop per column: tight loops the JIT unrolls.
        for (int r = 0; r < n; r++) {
            nIds[r] = ids[rows[r]];
        }
        if (newScores == null) {
            for (int r = 0; r < n; r++) {
                nScores[r] = scores[rows[r]];
            }
        } else {
            System.arraycopy(newScores, 0, nScores, 0, n);
        }
        if (origin == null) {
            System.arraycopy(rows, 0, nOrigin, 0, n);
        } else {
            for (int r = 0; r < n; r++) {
                nOrigin[r] = origin[rows[r]];
            }
        }
        return new Candidates(n, nIds, nScores, provenance, nOrigin);
    }

    /** The first n items (all if n ≥ size): a view of this list's arrays, which no list writes. */
    public Candidates truncate(int n) {
        if (n >= size) {
            return this;
        }
        return new Candidates(Math.max(0, n), ids, scores, provenance, origin);
    }

    /** Same items and order, new scores ({@code newScores.length ≥ size}); copied. */
    public Candidates withScores(float[] newScores) {
        return new Candidates(size, ids, Arrays.copyOf(newScores, size), provenance, origin);
    }

    /** The names of the sources that found item i. */
    public String[] sourceNames(int i) {
        String[] sources = provenance.sources;
        long m = sourceMask(i);
        String[] out = new String[Long.bitCount(m)];
        int o = 0;
        for (int j = 0; j < sources.length; j++) {
            if ((m & (1L << j)) != 0) {
                out[o++] = sources[j];
            }
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Candidates[").append(size).append(" from ").append(Arrays.toString(sources()));
        for (int i = 0; i < Math.min(size, 5); i++) {
            sb.append(i == 0 ? ": " : ", ").append(ids[i]).append('=').append(scores[i]);
        }
        return sb.append(size > 5 ? ", …]" : "]").toString();
    }

    /**
     * Accumulates items; one per request stage, not thread-safe. Adding an id twice adds two rows:
     * deduplicating (and {@link #mark}ing further sources on an existing row) is the caller's job.
     */
    public static final class Builder {
        private final String[] sources;
        private final int k;
        private int size;
        private long[] ids;
        private float[] scores;
        private long[] masks;
        private float[] srcScores;

        private Builder(String[] sources, int expectedSize) {
            if (sources.length > MAX_SOURCES) {
                throw new IllegalArgumentException("at most " + MAX_SOURCES + " sources, got " + sources.length);
            }
            this.sources = sources.clone();
            this.k = sources.length;
            int cap = Math.max(4, expectedSize);
            ids = new long[cap];
            scores = new float[cap];
            masks = new long[cap];
            srcScores = new float[cap * k];
        }

        /**
         * Adds an item found by source {@code sourceIndex} (or -1 for none) with that source's
         * score; returns its row.
         */
        public int add(long id, float score, int sourceIndex, float sourceScore) {
            if (size == ids.length) {
                grow();
            }
            int row = size++;
            ids[row] = id;
            scores[row] = score;
            Arrays.fill(srcScores, row * k, row * k + k, Float.NaN);
            if (sourceIndex >= 0) {
                masks[row] = 1L << sourceIndex;
                srcScores[row * k + sourceIndex] = sourceScore;
            } else {
                masks[row] = 0;
            }
            return row;
        }

        /** Records that source j also found the item at {@code row}, with that score. */
        public void mark(int row, int j, float sourceScore) {
            masks[row] |= 1L << j;
            srcScores[row * k + j] = sourceScore;
        }

        /** Replaces the current score of the item at {@code row}. */
        public void setScore(int row, float score) {
            scores[row] = score;
        }

        /** The current score of the item at {@code row}. */
        public float score(int row) {
            return scores[row];
        }

        /** Rows added so far. */
        public int size() {
            return size;
        }

        private void grow() {
            int cap = ids.length * 2;
            ids = Arrays.copyOf(ids, cap);
            scores = Arrays.copyOf(scores, cap);
            masks = Arrays.copyOf(masks, cap);
            srcScores = Arrays.copyOf(srcScores, cap * k);
        }

        /** The list, on this builder's arrays (not copied): add nothing afterwards. */
        public Candidates build() {
            return new Candidates(size, ids, scores, new Provenance(sources, masks, srcScores), null);
        }
    }
}
