package dev.funnel.index;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One item as the index stores it: what a bulk load, {@code PUT /v1/items/{id}} and the item stream
 * all carry. Immutable; validated on construction so nothing invalid reaches the index.
 *
 * @param id              external item id, {@code > 0}
 * @param category        category term (non-blank)
 * @param author          author term (non-blank)
 * @param tags            tag terms (may be empty; no blanks)
 * @param status          {@code online} or {@code offline}
 * @param createdAtMillis creation time in epoch millis
 * @param popularity      {@code >= 0} and finite as a 32-bit float (at most {@code Float.MAX_VALUE}, give or take
 *                        its rounding); higher is more popular
 * @param embedding       content embedding (finite values) or null for an item without one; copied
 * @param attributes      extra fields (string, finite number, boolean or list of strings), may be empty;
 *                        integral numbers are stored as Long, others as Double
 * @throws InvalidItemException naming the field at fault
 */
public record ItemRecord(long id, String category, String author, List<String> tags, String status,
                         long createdAtMillis, double popularity, float[] embedding, Map<String, Object> attributes) {

    /** Status of an item that may be served. */
    public static final String ONLINE = "online";
    /** Status of an item that must not be served. */
    public static final String OFFLINE = "offline";

    public ItemRecord {
        if (id <= 0) {
            throw new InvalidItemException("id", "item id must be > 0, got " + id);
        }
        requireTerm("category", category, id);
        requireTerm("author", author, id);
        tags = tags == null ? List.of() : List.copyOf(tags);
        for (int i = 0; i < tags.size(); i++) {
            requireTerm("tags[" + i + "]", tags.get(i), id);
        }
        if (!ONLINE.equals(status) && !OFFLINE.equals(status)) {
            throw new InvalidItemException("status", "item " + id + ": status must be 'online' or 'offline', got '" + status + "'");
        }
        // recall serves popularity as a 32-bit float score: past Float.MAX_VALUE it would be infinite, which JSON cannot carry
        if (!(popularity >= 0 && Float.isFinite((float) popularity))) { // NaN fails too
            throw new InvalidItemException("popularity", "item " + id + ": popularity must be a number in 0.." + Float.MAX_VALUE
                    + " (it is served as a 32-bit float score), got " + popularity);
        }
        if (embedding != null) {
            embedding = embedding.clone();
            for (int d = 0; d < embedding.length; d++) {
                if (!Float.isFinite(embedding[d])) {
                    throw new InvalidItemException("embedding[" + d + "]", "item " + id + ": embedding[" + d
                            + "] must be a 32-bit float (within ±" + Float.MAX_VALUE + "), got " + embedding[d]);
                }
            }
        }
        attributes = attributes == null ? Map.of() : normalized(attributes);
        for (Map.Entry<String, Object> e : attributes.entrySet()) {
            Object v = e.getValue();
            String field = "attributes." + e.getKey();
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof List)) {
                throw new InvalidItemException(field, "item " + id + ": attribute '" + e.getKey()
                        + "' must be a string, number, boolean or list, got " + v.getClass().getSimpleName());
            }
            if (v instanceof Double d && !Double.isFinite(d)) {
                throw new InvalidItemException(field, "item " + id + ": attribute '" + e.getKey() + "' must be a finite number, got " + d);
            }
            if (ItemFields.isBuiltIn(e.getKey())) {
                throw new InvalidItemException(field, "item " + id + ": attribute '" + e.getKey() + "' shadows a built-in field");
            }
        }
    }

    /** Integral numbers become Long, other numbers Double, lists immutable: one form per value. */
    private static Map<String, Object> normalized(Map<String, Object> attrs) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Object> e : attrs.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                v = ((Number) v).longValue();
            } else if (v instanceof Number n) {
                v = n.doubleValue();
            } else if (v instanceof List<?> l) {
                v = l.stream().map(String::valueOf).toList();
            }
            if (e.getKey() == null || v == null) {
                throw new InvalidItemException("attributes." + e.getKey(), "attribute " + e.getKey() + " is null");
            }
            m.put(e.getKey(), v);
        }
        return Map.copyOf(m);
    }

    /** Whether the item may be served. */
    public boolean online() {
        return ONLINE.equals(status);
    }

    private static void requireTerm(String what, String v, long id) {
        if (v == null || v.isBlank()) {
            throw new InvalidItemException(what, "item " + id + ": " + what + " must be non-blank, got " + (v == null ? "null" : "'" + v + "'"));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ItemRecord r && id == r.id && createdAtMillis == r.createdAtMillis
                && Double.compare(popularity, r.popularity) == 0 && category.equals(r.category)
                && author.equals(r.author) && tags.equals(r.tags) && status.equals(r.status)
                && java.util.Arrays.equals(embedding, r.embedding) && attributes.equals(r.attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, category, author, tags, status, createdAtMillis, popularity, attributes)
                * 31 + java.util.Arrays.hashCode(embedding);
    }

    @Override
    public String toString() {
        return "ItemRecord{" + id + ", " + category + ", " + author + ", " + tags + ", " + status + ", created="
                + createdAtMillis + ", pop=" + popularity + ", dim=" + (embedding == null ? 0 : embedding.length)
                + ", attrs=" + attributes + '}';
    }
}
