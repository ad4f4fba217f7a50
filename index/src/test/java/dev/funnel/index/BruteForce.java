package dev.funnel.index;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The oracle: evaluates filters and rankings over plain records, the obvious way. */
final class BruteForce {

    private BruteForce() {
    }

    static boolean passes(ItemRecord r, Filter f, long now) {
        for (Map.Entry<String, Set<String>> e : f.terms().entrySet()) {
            List<String> vals = values(r, e.getKey());
            if (vals.stream().noneMatch(e.getValue()::contains)) {
                return false;
            }
        }
        for (Filter.Range range : f.ranges()) {
            double v = number(r, range.field());
            if (!(v >= range.min() && v <= range.max())) {
                return false;
            }
        }
        return f.createdWithinMillis() < 0 || r.createdAtMillis() >= now - f.createdWithinMillis();
    }

    static List<String> values(ItemRecord r, String field) {
        switch (field) {
            case "category": return List.of(r.category());
            case "author": return List.of(r.author());
            case "status": return List.of(r.status());
            case "tags": return r.tags();
            default:
                Object v = r.attributes().get(field);
                if (v == null) {
                    return List.of();
                }
                if (v instanceof List<?> l) {
                    return l.stream().map(String::valueOf).toList();
                }
                return List.of(String.valueOf(v));
        }
    }

    static double number(ItemRecord r, String field) {
        switch (field) {
            case "created": return r.createdAtMillis();
            case "popularity": return r.popularity();
            default:
                Object v = r.attributes().get(field);
                return v instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }

    /** Ids of the top n by popularity (ties: lower id first, as ids were loaded in order). */
    static List<Long> topByPopularity(Collection<ItemRecord> items, Filter f, long now, int n) {
        List<ItemRecord> pass = new ArrayList<>();
        for (ItemRecord r : items) {
            if (passes(r, f, now)) {
                pass.add(r);
            }
        }
        pass.sort(Comparator.comparingDouble(ItemRecord::popularity).reversed().thenComparingLong(ItemRecord::id));
        return pass.stream().limit(n).map(ItemRecord::id).toList();
    }

    /** Ids of the top n by a score field (ties: lower id first). */
    static List<Long> topBy(Collection<ItemRecord> items, Filter f, ScoreField by, long now, int n) {
        List<ItemRecord> pass = new ArrayList<>();
        for (ItemRecord r : items) {
            if (passes(r, f, now)) {
                pass.add(r);
            }
        }
        Comparator<ItemRecord> key = by == ScoreField.POPULARITY ? Comparator.comparingDouble(ItemRecord::popularity)
                : Comparator.comparingLong(ItemRecord::createdAtMillis);
        pass.sort(key.reversed().thenComparingLong(ItemRecord::id));
        return pass.stream().limit(n).map(ItemRecord::id).toList();
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Ids of the k nearest by dot product among passing items. */
    static List<Long> nearest(Collection<ItemRecord> items, Filter f, long now, float[] q, int k) {
        List<ItemRecord> pass = new ArrayList<>();
        for (ItemRecord r : items) {
            if (r.embedding() != null && passes(r, f, now)) {
                pass.add(r);
            }
        }
        pass.sort(Comparator.comparingDouble((ItemRecord r) -> dot(q, r.embedding())).reversed());
        return pass.stream().limit(k).map(ItemRecord::id).toList();
    }
}
