package dev.funnel.index;

import io.github.jbellis.jvector.util.Bits;
import org.roaringbitmap.RoaringBitmap;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Filter} resolved against one {@link IndexState}: the candidate bitmap (live items whose
 * terms match) and the range conditions still to check per row. One query, one thread.
 */
final class FilterPlan implements Bits {

    final IndexState state;
    /** Live ordinals passing every term condition; never modified (may be the state's own bitmap). */
    final RoaringBitmap candidates;
    /** {@link #candidates} as the state's cached bitset when the state owns it, else null. */
    private final long[] words;
    private final String[] rangeFields;
    private final double[] rangeMin;
    private final double[] rangeMax;
    /** Inclusive lower bound on creation time, or Long.MIN_VALUE. */
    final long createdMinMillis;
    private final boolean hasRowChecks;

    /** @param owned whether candidates is the state's own bitmap (the live set or a posting list), not one made for this plan */
    private FilterPlan(IndexState state, RoaringBitmap candidates, boolean owned, List<Filter.Range> ranges, long createdMinMillis) {
        this.state = state;
        this.candidates = candidates;
        this.words = owned ? state.words(candidates) : null;
        int n = ranges.size();
        rangeFields = new String[n];
        rangeMin = new double[n];
        rangeMax = new double[n];
        for (int i = 0; i < n; i++) {
            Filter.Range r = ranges.get(i);
            rangeFields[i] = r.field().intern();
            rangeMin[i] = r.min();
            rangeMax[i] = r.max();
        }
        this.createdMinMillis = createdMinMillis;
        this.hasRowChecks = n > 0 || createdMinMillis != Long.MIN_VALUE;
    }

    static FilterPlan resolve(IndexState s, TermDictionary dict, Filter f, long nowMillis) {
        // Posting lists hold live ordinals only, so with any term condition the live set need not
        // take part; intersect the smallest lists first.
        int n = f.terms().size();
        RoaringBitmap[] clauses = new RoaringBitmap[n];
        int c = 0;
        boolean singleValues = true;
        for (Map.Entry<String, Set<String>> e : f.terms().entrySet()) {
            RoaringBitmap any = null;
            singleValues &= e.getValue().size() <= 1;
            for (String v : e.getValue()) {
                RoaringBitmap p = s.posting(dict.find(e.getKey(), v));
                any = any == null ? p : RoaringBitmap.or(any, p);
            }
            clauses[c++] = any == null ? IndexState.EMPTY : any;
        }
        RoaringBitmap cand;
        if (n == 0) {
            cand = s.live;
        } else if (n == 1) {
            cand = clauses[0];
        } else {
            java.util.Arrays.sort(clauses, java.util.Comparator.comparingInt(RoaringBitmap::getCardinality));
            cand = RoaringBitmap.and(clauses[0], clauses[1]);
            for (int i = 2; i < n && !cand.isEmpty(); i++) {
                cand.and(clauses[i]);
            }
        }
        long createdMin = f.createdWithinMillis() < 0 ? Long.MIN_VALUE : nowMillis - f.createdWithinMillis();
        // Owned: the live set, or one term's own posting list (or the shared empty one).
        boolean owned = n == 0 || (n == 1 && singleValues);
        return new FilterPlan(s, cand, owned, f.ranges(), createdMin);
    }

    /** Whether the row passes the range and age conditions (terms are in {@link #candidates}). */
    boolean rowPasses(int ord) {
        if (!hasRowChecks) {
            return true;
        }
        Columns c = state.columns;
        if (c.createdAtMillis[ord] < createdMinMillis) {
            return false;
        }
        for (int i = 0; i < rangeFields.length; i++) {
            double v = c.number(ord, rangeFields[i]);
            if (!(v >= rangeMin[i] && v <= rangeMax[i])) {
                return false;
            }
        }
        return true;
    }

    /** Full check: candidate and row conditions. This is the accept test the vector search uses. */
    @Override
    public boolean get(int ord) {
        return (words != null ? IndexState.has(words, ord) : candidates.contains(ord)) && rowPasses(ord);
    }

    /** Whether every live row of the state passes (no term, range or age condition). */
    boolean acceptsAllLive() {
        return candidates == state.live && !hasRowChecks;
    }

    boolean hasRowChecks() {
        return hasRowChecks;
    }
}
