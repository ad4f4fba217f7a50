package dev.funnel.index;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Term → ordinal of its posting list, per field. Terms are only ever added (an emptied posting list
 * stays, empty), so an ordinal a reader found stays valid. Written by the index writer, read by any
 * thread.
 */
final class TermDictionary {

    static final int ABSENT = -1;

    private final Map<String, Map<String, Integer>> byField = new ConcurrentHashMap<>();
    private int size; // writer only

    /** Any thread; {@link #ABSENT} when the term was never indexed. */
    int find(String field, String term) {
        Map<String, Integer> m = byField.get(field);
        if (m == null) {
            return ABSENT;
        }
        Integer t = m.get(term);
        return t == null ? ABSENT : t;
    }

    /** Writer only. */
    int getOrAdd(String field, String term) {
        Map<String, Integer> m = byField.computeIfAbsent(field, f -> new ConcurrentHashMap<>());
        Integer t = m.get(term);
        if (t != null) {
            return t;
        }
        int ord = size++;
        m.put(term, ord);
        return ord;
    }

    /** Writer only: number of terms so far. */
    int size() {
        return size;
    }

    /** Term → ordinal for one field (empty when none); a live view. Any thread. */
    Map<String, Integer> termsOf(String field) {
        Map<String, Integer> m = byField.get(field);
        return m == null ? Map.of() : m;
    }

    /** The fields that have terms. Any thread. */
    java.util.Set<String> fields() {
        return byField.keySet();
    }
}
