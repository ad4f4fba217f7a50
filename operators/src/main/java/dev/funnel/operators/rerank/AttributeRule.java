package dev.funnel.operators.rerank;

import dev.funnel.index.ItemStore;
import java.util.List;

/** A {@code field=value} condition on a forward-index attribute; a list attribute matches when any element does. */
record AttributeRule(String field, String value) {

    /**
     * Parses {@code field=value}.
     *
     * @throws IllegalArgumentException naming the parameter and the bad key
     */
    static AttributeRule parse(String param, String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("param '" + param + "': '" + spec + "' must be field=value, e.g. category=sports");
        }
        return new AttributeRule(spec.substring(0, eq).trim(), spec.substring(eq + 1).trim());
    }

    boolean matches(ItemStore items, long itemId) {
        return matchesValue(items.attribute(itemId, field));
    }

    /**
     * {@code out[i]} = {@link #matches} of {@code ids[i]}, for i < n, from one batch read of the
     * field ({@link ItemStore#attributes}); {@code scratch} holds at least n values.
     */
    void matchAll(ItemStore items, long[] ids, int n, Object[] scratch, boolean[] out) {
        items.attributes(ids, n, field, scratch);
        for (int i = 0; i < n; i++) {
            out[i] = matchesValue(scratch[i]);
        }
    }

    private boolean matchesValue(Object v) {
        if (v instanceof List<?> l) {
            for (Object e : l) {
                if (e != null && value.equals(e.toString())) {
                    return true;
                }
            }
            return false;
        }
        return v != null && value.equals(v.toString());
    }

    @Override
    public String toString() {
        return field + '=' + value;
    }
}
