package dev.funnel.engine.explain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Two DAGs on the same request, side by side.
 *
 * @param a          the first run
 * @param b          the second run
 * @param common     items both served
 * @param onlyA      items only the first served, in its order
 * @param onlyB      items only the second served, in its order
 * @param rankShifts item → (rank in b − rank in a), for common items, in a's order
 */
public record Comparison(Explanation a, Explanation b, int common, List<Long> onlyA, List<Long> onlyB,
                         Map<Long, Integer> rankShifts) {

    public Comparison {
        onlyA = List.copyOf(onlyA);
        onlyB = List.copyOf(onlyB);
        rankShifts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rankShifts));
    }

    /** Compares two explanations of the same request. */
    public static Comparison of(Explanation a, Explanation b) {
        Map<Long, Integer> rankB = new HashMap<>();
        for (int i = 0; i < b.items().size(); i++) {
            rankB.putIfAbsent(b.items().get(i).itemId(), i);
        }
        Set<Long> inA = new LinkedHashSet<>();
        List<Long> onlyA = new ArrayList<>();
        Map<Long, Integer> shifts = new LinkedHashMap<>();
        for (int i = 0; i < a.items().size(); i++) {
            long id = a.items().get(i).itemId();
            inA.add(id);
            Integer rb = rankB.get(id);
            if (rb == null) {
                onlyA.add(id);
            } else {
                shifts.put(id, rb - i);
            }
        }
        List<Long> onlyB = new ArrayList<>();
        for (Explanation.FinalItem f : b.items()) {
            if (!inA.contains(f.itemId())) {
                onlyB.add(f.itemId());
            }
        }
        return new Comparison(a, b, shifts.size(), onlyA, onlyB, shifts);
    }

    /** Plain maps and lists, ready for a JSON encoder. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", a.toJson());
        m.put("b", b.toJson());
        m.put("common", common);
        m.put("only_a", onlyA);
        m.put("only_b", onlyB);
        Map<String, Object> shifts = new LinkedHashMap<>();
        rankShifts.forEach((k, v) -> shifts.put(Long.toString(k), v));
        m.put("rank_shifts", shifts);
        return m;
    }
}
