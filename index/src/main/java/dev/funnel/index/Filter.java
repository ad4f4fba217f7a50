package dev.funnel.index;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A conjunction of conditions on item fields that the index evaluates inside its search, so a query
 * for N items gets N that pass: term conditions (a field has one of some values; answered from
 * posting lists), numeric ranges (checked against the columns while walking candidates) and a
 * creation-age window relative to the index's clock. Immutable; {@link #NONE} matches every live item.
 *
 * <p>In DAG YAML: {@code filter: {status: online, category: [c01, c02], created_within_hours: 24,
 * popularity: {min: 0.01}}}.
 */
public final class Filter {

    /** Matches every live item. */
    public static final Filter NONE = new Filter(Map.of(), List.of(), -1);

    /** A numeric range, inclusive at both ends. */
    public record Range(String field, double min, double max) {
        public Range {
            Objects.requireNonNull(field, "field");
            if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
                throw new IllegalArgumentException("range on '" + field + "': need min <= max, got [" + min + ", " + max + "]");
            }
        }
    }

    private final Map<String, Set<String>> terms;
    private final List<Range> ranges;
    private final long createdWithinMillis;

    private Filter(Map<String, Set<String>> terms, List<Range> ranges, long createdWithinMillis) {
        this.terms = terms;
        this.ranges = ranges;
        this.createdWithinMillis = createdWithinMillis;
    }

    /** A builder for a filter. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses the YAML/JSON form. {@code where} prefixes error messages (e.g. "node 'interest': param
     * 'filter'").
     *
     * @throws IllegalArgumentException naming the bad key or value
     */
    public static Filter parse(Map<String, ?> spec, String where) {
        Builder b = builder();
        for (Map.Entry<String, ?> e : spec.entrySet()) {
            String field = e.getKey();
            Object v = e.getValue();
            if (field.equals("created_within_hours")) {
                if (!(v instanceof Number n) || !(n.doubleValue() > 0)) {
                    throw new IllegalArgumentException(where + ": 'created_within_hours' must be a number > 0, got " + v);
                }
                b.createdWithinMillis((long) (n.doubleValue() * 3_600_000d));
            } else if (v instanceof String s) {
                b.anyOf(field, List.of(s));
            } else if (v instanceof Boolean bool) {
                b.anyOf(field, List.of(bool.toString()));
            } else if (v instanceof List<?> list) {
                List<String> values = new ArrayList<>();
                for (Object o : list) {
                    if (!(o instanceof String || o instanceof Number || o instanceof Boolean)) {
                        throw new IllegalArgumentException(where + ": '" + field + "' values must be scalars, got " + o);
                    }
                    values.add(String.valueOf(o));
                }
                if (values.isEmpty()) {
                    throw new IllegalArgumentException(where + ": '" + field + "' needs at least one value");
                }
                b.anyOf(field, values);
            } else if (v instanceof Map<?, ?> m) {
                double min = Double.NEGATIVE_INFINITY;
                double max = Double.POSITIVE_INFINITY;
                for (Map.Entry<?, ?> r : m.entrySet()) {
                    if (!(r.getValue() instanceof Number n)) {
                        throw new IllegalArgumentException(where + ": '" + field + "." + r.getKey() + "' must be a number, got " + r.getValue());
                    }
                    if ("min".equals(r.getKey())) {
                        min = n.doubleValue();
                    } else if ("max".equals(r.getKey())) {
                        max = n.doubleValue();
                    } else {
                        throw new IllegalArgumentException(where + ": '" + field + "' range takes 'min' and 'max', got '" + r.getKey() + "'");
                    }
                }
                try {
                    b.range(field, min, max);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
                }
            } else {
                throw new IllegalArgumentException(where + ": '" + field + "' must be a value, a list of values or {min, max}, got " + v);
            }
        }
        return b.build();
    }

    /** Field → accepted values (any of them); fields are and-ed. */
    public Map<String, Set<String>> terms() {
        return terms;
    }

    public List<Range> ranges() {
        return ranges;
    }

    /** Maximum item age in millis, or -1 for no age condition. */
    public long createdWithinMillis() {
        return createdWithinMillis;
    }

    /** Whether the filter has no conditions. */
    public boolean isEmpty() {
        return terms.isEmpty() && ranges.isEmpty() && createdWithinMillis < 0;
    }

    /** This filter and-ed with one more term condition. */
    public Filter and(String field, List<String> anyOf) {
        Builder b = toBuilder();
        b.anyOf(field, anyOf);
        return b.build();
    }

    /** This filter and-ed with every condition of another. */
    public Filter andAll(Filter other) {
        Builder b = toBuilder();
        other.terms.forEach((f, v) -> b.anyOf(f, new ArrayList<>(v)));
        other.ranges.forEach(r -> b.range(r.field(), r.min(), r.max()));
        if (other.createdWithinMillis >= 0) {
            b.createdWithinMillis(other.createdWithinMillis);
        }
        return b.build();
    }

    Builder toBuilder() {
        Builder b = builder();
        terms.forEach((f, v) -> b.anyOf(f, new ArrayList<>(v)));
        ranges.forEach(r -> b.range(r.field(), r.min(), r.max()));
        if (createdWithinMillis >= 0) {
            b.createdWithinMillis(createdWithinMillis);
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Filter f && terms.equals(f.terms) && ranges.equals(f.ranges) && createdWithinMillis == f.createdWithinMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(terms, ranges, createdWithinMillis);
    }

    @Override
    public String toString() {
        return "Filter{terms=" + terms + ", ranges=" + ranges + (createdWithinMillis >= 0 ? ", createdWithinMillis=" + createdWithinMillis : "") + '}';
    }

    /** Builds a {@link Filter}; conditions on the same field intersect. */
    public static final class Builder {
        private final Map<String, Set<String>> terms = new LinkedHashMap<>();
        private final List<Range> ranges = new ArrayList<>();
        private long createdWithinMillis = -1;

        /** The field must have one of these values (for tags: the item has one of these tags). */
        public Builder anyOf(String field, List<String> values) {
            Objects.requireNonNull(field, "field");
            if (field.equals(ItemFields.EMBEDDING) || field.equals(ItemFields.CREATED) || field.equals(ItemFields.POPULARITY)
                    || field.equals(ItemFields.ID)) {
                throw new IllegalArgumentException("field '" + field + "' cannot be matched by term; use a range");
            }
            Set<String> v = new LinkedHashSet<>(values);
            terms.merge(field, v, (a, b) -> {
                Set<String> both = new LinkedHashSet<>(a);
                both.retainAll(b);
                return both;
            });
            return this;
        }

        /** Shorthand for one accepted value. */
        public Builder term(String field, String value) {
            return anyOf(field, List.of(value));
        }

        /** The numeric field must lie in [min, max]. */
        public Builder range(String field, double min, double max) {
            ranges.add(new Range(field, min, max));
            return this;
        }

        /** The item must have been created at most this long before the index clock's now. */
        public Builder createdWithinMillis(long millis) {
            if (millis <= 0) {
                throw new IllegalArgumentException("createdWithinMillis must be > 0, got " + millis);
            }
            createdWithinMillis = createdWithinMillis < 0 ? millis : Math.min(createdWithinMillis, millis);
            return this;
        }

        public Filter build() {
            Map<String, Set<String>> t = new LinkedHashMap<>();
            terms.forEach((f, v) -> t.put(f, Set.copyOf(v)));
            return new Filter(java.util.Collections.unmodifiableMap(t), List.copyOf(ranges), createdWithinMillis);
        }
    }
}
