package dev.funnel.engine.route;

import dev.funnel.engine.spi.ParamSpec;

import java.util.List;
import java.util.Map;

/** Checks one override value against its declared {@link ParamSpec}; the message carries the bad value. */
final class ParamCheck {

    private ParamCheck() {
    }

    /** What is wrong with the value, or null when it fits the spec. */
    static String problem(ParamSpec spec, Object value) {
        if (value == null) {
            return spec.required() ? "is required and cannot be null" : null;
        }
        switch (spec.type()) {
            case INT, LONG -> {
                if (!(value instanceof Integer || value instanceof Long)) {
                    return "must be a whole number, got " + describe(value);
                }
                long l = ((Number) value).longValue();
                if (spec.type() == dev.funnel.engine.spi.ParamType.INT && l != (int) l) {
                    return "must fit in an int, got " + l;
                }
                return range(spec, l);
            }
            case DOUBLE -> {
                if (!(value instanceof Number n)) {
                    return "must be a number, got " + describe(value);
                }
                return range(spec, n.doubleValue());
            }
            case BOOLEAN -> {
                return value instanceof Boolean ? null : "must be true or false, got " + describe(value);
            }
            case STRING -> {
                return value instanceof String ? null : "must be a string, got " + describe(value);
            }
            case ENUM -> {
                return value instanceof String s && spec.allowed().contains(s) ? null
                        : "must be one of " + spec.allowed() + ", got " + describe(value);
            }
            case STRING_LIST -> {
                if (value instanceof List<?> l && l.stream().allMatch(e -> e instanceof String)) {
                    return null;
                }
                return "must be a list of strings, got " + describe(value);
            }
            case NUMBER_MAP -> {
                if (value instanceof Map<?, ?> m && m.values().stream().allMatch(e -> e instanceof Number)) {
                    return null;
                }
                return "must be a mapping of names to numbers, got " + describe(value);
            }
            case MAP -> {
                return value instanceof Map ? null : "must be a mapping, got " + describe(value);
            }
            default -> {
                return "has an unsupported type " + spec.type();
            }
        }
    }

    private static String range(ParamSpec spec, double v) {
        if (spec.min() != null && v < spec.min()) {
            return "must be >= " + num(spec.min()) + ", got " + num(v);
        }
        if (spec.max() != null && v > spec.max()) {
            return "must be <= " + num(spec.max()) + ", got " + num(v);
        }
        return null;
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static String describe(Object v) {
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        return String.valueOf(v);
    }
}
