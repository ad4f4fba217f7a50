package dev.funnel.engine.schema;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes the plain values a schema is made of (maps, lists, strings, numbers, booleans, null) as
 * indented JSON. Kept here so the engine needs no JSON library for one file it writes off the
 * request path.
 */
final class JsonText {

    private JsonText() {
    }

    static String write(Object value) {
        StringBuilder sb = new StringBuilder(4096);
        write(sb, value, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON has no " + d);
            }
            // Whole doubles print as integers so "minimum": 1 stays readable and valid for integer types.
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                sb.append((long) d);
            } else {
                sb.append(d);
            }
        } else if (v instanceof Number n) {
            sb.append(n.longValue());
        } else if (v instanceof Map<?, ?> m) {
            writeMap(sb, m, indent);
        } else if (v instanceof List<?> l) {
            writeList(sb, l, indent);
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON: " + v);
        }
    }

    private static void writeMap(StringBuilder sb, Map<?, ?> m, int indent) {
        if (m.isEmpty()) {
            sb.append("{}");
            return;
        }
        sb.append('{');
        Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<?, ?> e = it.next();
            newline(sb, indent + 1);
            quote(sb, String.valueOf(e.getKey()));
            sb.append(": ");
            write(sb, e.getValue(), indent + 1);
            if (it.hasNext()) {
                sb.append(',');
            }
        }
        newline(sb, indent);
        sb.append('}');
    }

    private static void writeList(StringBuilder sb, List<?> l, int indent) {
        if (l.isEmpty()) {
            sb.append("[]");
            return;
        }
        boolean scalars = l.stream().noneMatch(x -> x instanceof Map || x instanceof List);
        sb.append('[');
        for (int i = 0; i < l.size(); i++) {
            if (scalars) {
                if (i > 0) {
                    sb.append(", ");
                }
            } else {
                newline(sb, indent + 1);
            }
            write(sb, l.get(i), indent + 1);
            if (!scalars && i < l.size() - 1) {
                sb.append(',');
            }
        }
        if (!scalars) {
            newline(sb, indent);
        }
        sb.append(']');
    }

    private static void newline(StringBuilder sb, int indent) {
        sb.append('\n');
        for (int i = 0; i < indent; i++) {
            sb.append("  ");
        }
    }

    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
