package dev.funnel.operators.testing;

import dev.funnel.index.ItemStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A small {@link ItemStore} for operator tests, until the index team's forward index is on main. */
public final class MapItemStore implements ItemStore {

    private final Map<Long, Map<String, Object>> items = new HashMap<>();
    private final Map<Long, float[]> embeddings = new HashMap<>();

    /** Adds an item with attributes given as name, value pairs. */
    public MapItemStore put(long id, Object... kv) {
        Map<String, Object> m = items.computeIfAbsent(id, k -> new HashMap<>());
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return this;
    }

    public MapItemStore embed(long id, float... e) {
        items.computeIfAbsent(id, k -> new HashMap<>());
        embeddings.put(id, e);
        return this;
    }

    @Override public int size() { return items.size(); }
    @Override public boolean contains(long itemId) { return items.containsKey(itemId); }
    @Override public String category(long itemId) { return (String) attribute(itemId, "category"); }
    @Override public String author(long itemId) { return (String) attribute(itemId, "author"); }

    @Override
    @SuppressWarnings("unchecked")
    public List<String> tags(long itemId) {
        Object t = attribute(itemId, "tags");
        return t == null ? List.of() : (List<String>) t;
    }

    @Override public String status(long itemId) { return (String) attribute(itemId, "status"); }
    @Override public long createdAtMillis(long itemId) { return Long.MIN_VALUE; }
    @Override public double popularity(long itemId) { return 0; }
    @Override public float[] embedding(long itemId) { return embeddings.get(itemId); }

    @Override
    public Object attribute(long itemId, String field) {
        Map<String, Object> m = items.get(itemId);
        return m == null ? null : m.get(field);
    }
}
