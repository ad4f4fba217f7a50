package dev.funnel.engine.spi;

import java.util.List;
import java.util.Objects;

/**
 * One declared parameter of an operator.
 *
 * @param name         the key in YAML's {@code params:}
 * @param type         its type
 * @param required     whether the YAML must give it
 * @param defaultValue the value used when absent (null when required or when absence means "off")
 * @param min          inclusive lower bound for numbers, or null
 * @param max          inclusive upper bound for numbers, or null
 * @param allowed      the values an {@link ParamType#ENUM} accepts; empty otherwise
 * @param description  one line for people (schema, reference docs)
 */
public record ParamSpec(String name, ParamType type, boolean required, Object defaultValue,
                        Double min, Double max, List<String> allowed, String description) {

    public ParamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        allowed = allowed == null ? List.of() : List.copyOf(allowed);
        description = description == null ? "" : description;
        if (type == ParamType.ENUM && allowed.isEmpty()) {
            throw new IllegalArgumentException("param '" + name + "': ENUM needs allowed values");
        }
    }

    /** A required int in [min, max]. */
    public static ParamSpec requiredInt(String name, int min, int max, String description) {
        return new ParamSpec(name, ParamType.INT, true, null, (double) min, (double) max, List.of(), description);
    }

    /** An optional int in [min, max] with a default. */
    public static ParamSpec optionalInt(String name, int defaultValue, int min, int max, String description) {
        return new ParamSpec(name, ParamType.INT, false, defaultValue, (double) min, (double) max, List.of(), description);
    }

    /** An optional double in [min, max] with a default. */
    public static ParamSpec optionalDouble(String name, double defaultValue, double min, double max, String description) {
        return new ParamSpec(name, ParamType.DOUBLE, false, defaultValue, min, max, List.of(), description);
    }

    /** A required string. */
    public static ParamSpec requiredString(String name, String description) {
        return new ParamSpec(name, ParamType.STRING, true, null, null, null, List.of(), description);
    }

    /** An optional string with a default (null for none). */
    public static ParamSpec optionalString(String name, String defaultValue, String description) {
        return new ParamSpec(name, ParamType.STRING, false, defaultValue, null, null, List.of(), description);
    }

    /** An optional boolean with a default. */
    public static ParamSpec optionalBoolean(String name, boolean defaultValue, String description) {
        return new ParamSpec(name, ParamType.BOOLEAN, false, defaultValue, null, null, List.of(), description);
    }

    /** An optional enum with a default. */
    public static ParamSpec optionalEnum(String name, String defaultValue, List<String> allowed, String description) {
        return new ParamSpec(name, ParamType.ENUM, false, defaultValue, null, null, allowed, description);
    }

    /** An optional list of strings (default: empty). */
    public static ParamSpec optionalStringList(String name, String description) {
        return new ParamSpec(name, ParamType.STRING_LIST, false, List.of(), null, null, List.of(), description);
    }

    /** An optional map of string to number (default: empty). */
    public static ParamSpec optionalNumberMap(String name, String description) {
        return new ParamSpec(name, ParamType.NUMBER_MAP, false, java.util.Map.of(), null, null, List.of(), description);
    }

    /** An optional free-form mapping (default: empty), checked by the operator itself. */
    public static ParamSpec optionalMap(String name, String description) {
        return new ParamSpec(name, ParamType.MAP, false, java.util.Map.of(), null, null, List.of(), description);
    }
}
