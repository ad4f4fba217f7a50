package dev.funnel.engine.dag;

import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks a node's raw YAML params against its operator's schema and converts them to {@link Params}. */
final class ParamChecker {

    private ParamChecker() {
    }

    /**
     * Checks {@code node}'s params; adds a problem per unknown, missing, ill-typed or out-of-range
     * param. Returns the typed params (defaults filled) when there was none, else null.
     */
    static Params check(String file, NodeSpec node, ParamSchema schema, List<Problem> problems) {
        String where = "node '" + node.id() + "'";
        int before = problems.size();
        Map<String, Object> typed = new LinkedHashMap<>();
        List<String> declared = new ArrayList<>();
        for (ParamSpec s : schema.all()) {
            declared.add(s.name());
        }
        for (String key : node.params().keySet()) {
            if (schema.get(key).isEmpty()) {
                String near = Names.closest(key, declared);
                problems.add(new Problem(file, node.lineOf(key), where + ": unknown param '" + key + "' for op '" + node.op() + "'"
                        + (near == null ? "" : "; did you mean '" + near + "'?")
                        + " (accepted: " + (declared.isEmpty() ? "none" : String.join(", ", declared)) + ")"));
            }
        }
        for (ParamSpec s : schema.all()) {
            Object raw = node.params().get(s.name());
            if (raw == null) {
                if (s.required()) {
                    problems.add(new Problem(file, node.line(), where + ": missing required param '" + s.name() + "' (" + typeName(s) + ")"));
                } else {
                    typed.put(s.name(), s.defaultValue());
                }
                continue;
            }
            String bad = convert(s, raw, typed);
            if (bad != null) {
                problems.add(new Problem(file, node.lineOf(s.name()), where + ": param '" + s.name() + "' " + bad));
            }
        }
        return problems.size() == before ? new Params(typed) : null;
    }

    /** Puts the converted value into {@code out}; returns what is wrong, or null. */
    private static String convert(ParamSpec s, Object raw, Map<String, Object> out) {
        switch (s.type()) {
            case INT:
            case LONG: {
                if (!(raw instanceof Integer || raw instanceof Long || raw instanceof BigInteger)) {
                    return "must be an integer, got " + show(raw);
                }
                BigInteger b = raw instanceof BigInteger ? (BigInteger) raw : BigInteger.valueOf(((Number) raw).longValue());
                long limit = s.type() == dev.funnel.engine.spi.ParamType.INT ? 31 : 63;
                if (b.bitLength() > limit) {
                    return "is out of range for " + typeName(s) + ", got " + raw;
                }
                String range = range(s, b.doubleValue(), raw);
                if (range != null) {
                    return range;
                }
                out.put(s.name(), s.type() == dev.funnel.engine.spi.ParamType.INT ? (Object) b.intValue() : (Object) b.longValue());
                return null;
            }
            case DOUBLE: {
                if (!(raw instanceof Number)) {
                    return "must be a number, got " + show(raw);
                }
                double d = ((Number) raw).doubleValue();
                if (Double.isNaN(d)) {
                    return "must be a number, got NaN";
                }
                String range = range(s, d, raw);
                if (range != null) {
                    return range;
                }
                out.put(s.name(), d);
                return null;
            }
            case BOOLEAN:
                if (!(raw instanceof Boolean)) {
                    return "must be true or false, got " + show(raw);
                }
                out.put(s.name(), raw);
                return null;
            case STRING:
                if (!(raw instanceof String)) {
                    return "must be a string, got " + show(raw);
                }
                out.put(s.name(), raw);
                return null;
            case ENUM:
                if (!(raw instanceof String) || !s.allowed().contains(raw)) {
                    return "must be one of " + s.allowed() + ", got " + show(raw);
                }
                out.put(s.name(), raw);
                return null;
            case STRING_LIST: {
                if (!(raw instanceof List)) {
                    return "must be a list of strings, got " + show(raw);
                }
                List<String> l = new ArrayList<>();
                for (Object o : (List<?>) raw) {
                    if (!(o instanceof String)) {
                        return "must be a list of strings, but has " + show(o);
                    }
                    l.add((String) o);
                }
                out.put(s.name(), List.copyOf(l));
                return null;
            }
            case NUMBER_MAP: {
                if (!(raw instanceof Map)) {
                    return "must be a mapping of names to numbers, got " + show(raw);
                }
                Map<String, Double> m = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) raw).entrySet()) {
                    if (!(e.getValue() instanceof Number)) {
                        return "entry '" + e.getKey() + "' must be a number, got " + show(e.getValue());
                    }
                    double d = ((Number) e.getValue()).doubleValue();
                    String range = range(s, d, e.getValue());
                    if (range != null) {
                        return "entry '" + e.getKey() + "' " + range;
                    }
                    m.put(String.valueOf(e.getKey()), d);
                }
                out.put(s.name(), java.util.Collections.unmodifiableMap(m));
                return null;
            }
            case MAP:
                if (!(raw instanceof Map)) {
                    return "must be a mapping, got " + show(raw);
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) raw;
                out.put(s.name(), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m)));
                return null;
            default:
                throw new IllegalStateException("unhandled param type " + s.type());
        }
    }

    private static String range(ParamSpec s, double v, Object raw) {
        if (s.min() != null && v < s.min()) {
            return "must be >= " + num(s.min()) + ", got " + raw;
        }
        if (s.max() != null && v > s.max()) {
            return "must be <= " + num(s.max()) + ", got " + raw;
        }
        return null;
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    static String typeName(ParamSpec s) {
        switch (s.type()) {
            case INT: return "int";
            case LONG: return "long";
            case DOUBLE: return "number";
            case BOOLEAN: return "boolean";
            case STRING: return "string";
            case ENUM: return "one of " + s.allowed();
            case STRING_LIST: return "list of strings";
            case NUMBER_MAP: return "mapping of names to numbers";
            default: return "mapping";
        }
    }

    private static String show(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof String) {
            return "'" + v + "'";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof Map) {
            return "a mapping";
        }
        return v.toString();
    }
}
