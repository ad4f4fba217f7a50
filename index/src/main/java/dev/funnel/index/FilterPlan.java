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
    private final String[] rangeFields;
    private final double[] rangeMin;
    private final double[] rangeMax;
    /** Inclusive lower bound on creation time, or Long.MIN_VALUE. */
    final long createdMinMillis;
    private final boolean hasRowChecks;

    private FilterPlan(IndexState state, RoaringBitmap candidates, List<Filter.Range> ranges, long createdMinMillis) {
        this.state = state;
        this.candidates = candidates;
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
        RoaringBitmap cand = s.live;
        boolean owned = false;
        for (Map.Entry<String, Set<String>> e : f.terms().entrySet()) {
            RoaringBitmap any = null;
            for (String v : e.getValue()) {
                RoaringBitmap p = s.posting(dict.find(e.getKey(), v));
                any = any == null ? p : RoaringBitmap.or(any, p);
            }
            if (any == null) {
                any = IndexState.EMPTY;
            }
            cand = owned ? andInPlace(cand, any) : RoaringBitmap.and(cand, any);
            owned = true;
        }
        long createdMin = f.createdWithinMillis() < 0 ? Long.MIN_VALUE : nowMillis - f.createdWithinMillis();
        return new FilterPlan(s, cand, f.ranges(), createdMin);
    }

    private static RoaringBitmap andInPlace(RoaringBitmap owned, RoaringBitmap other) {
        owned.and(other);
        return owned;
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
        return candidates.contains(ord) && rowPasses(ord);
    }

    boolean hasRowChecks() {
        return hasRowChecks;
    }
}
