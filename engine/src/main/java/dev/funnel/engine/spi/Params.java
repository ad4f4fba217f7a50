package dev.funnel.engine.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's parameters after validation against its operator's {@link ParamSchema}: every declared
 * parameter is present (defaults filled in; an optional one without default may be null) and of
 * its declared type (INT as Integer, LONG as Long, DOUBLE as Double, STRING/ENUM as String,
 * STRING_LIST as List&lt;String&gt;, NUMBER_MAP as Map&lt;String, Double&gt;, MAP as Map&lt;String, Object&gt;).
 * Immutable.
 */
public final class Params {

    private final Map<String, Object> values;

    /** Wraps already-validated values; the validator and tests create these. */
    public Params(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Params of(Map<String, Object> values) {
        return new Params(values);
    }

    public int getInt(String name) {
        return ((Number) require(name)).intValue();
    }

    public long getLong(String name) {
        return ((Number) require(name)).longValue();
    }

    public double getDouble(String name) {
        return ((Number) require(name)).doubleValue();
    }

    public boolean getBoolean(String name) {
        return (Boolean) require(name);
    }

    public String getString(String name) {
        return (String) require(name);
    }

    /** The value, or null when an optional parameter without default was not given. */
    public String getStringOrNull(String name) {
        return (String) values.get(name);
    }

    @SuppressWarnings("unchecked")
    public List<String> getStringList(String name) {
        return (List<String>) require(name);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Double> getNumberMap(String name) {
        return (Map<String, Double>) require(name);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> getMap(String name) {
        return (Map<String, Object>) require(name);
    }

    /** Whether a value (not null) is present. */
    public boolean has(String name) {
        return values.get(name) != null;
    }

    /** All values, read-only. */
    public Map<String, Object> asMap() {
        return values;
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalStateException("param '" + name + "' has no value; declare it with a default or check has()");
        }
        return v;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
