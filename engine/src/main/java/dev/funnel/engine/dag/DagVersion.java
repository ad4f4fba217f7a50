package dev.funnel.engine.dag;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content version of a compiled DAG: 8 hex digits of SHA-256 over a canonical text of what
 * the DAG does. It must be the same in every JVM, replica and restart for the same content, so it
 * is built only from values with a defined order: nodes and {@code after} lists in file order (they
 * decide execution order and input order), params and overrides sorted by key, and nothing about
 * where the text came from (file path, line numbers, flow or block style, an admin PUT). Hashing a
 * record's {@code toString()} is not that: it includes the path and lines, and maps built with
 * {@code Map.copyOf} iterate in an order that differs between JVMs.
 */
final class DagVersion {

    private DagVersion() {
    }

    /** {@code name@hash} for a DAG as compiled (overrides already applied) and the overrides it was compiled with. */
    static String of(DagSpec effective, Map<String, Map<String, Object>> overrides) {
        return effective.name() + "@" + hash(canonical(effective, overrides));
    }

    /** The canonical text the version hashes; one line per item. */
    static String canonical(DagSpec spec, Map<String, Map<String, Object>> overrides) {
        StringBuilder sb = new StringBuilder();
        sb.append("dag ");
        value(sb, spec.name());
        sb.append("\ndeadline_ms ").append(spec.deadlineMs());
        DagSpec.Defaults d = spec.defaults() == null ? DagSpec.Defaults.NONE : spec.defaults();
        sb.append("\ndefaults deadline_ms=");
        value(sb, d.deadlineMs());
        sb.append(" on_timeout=").append(d.onTimeout()).append(" on_error=").append(d.onError());
        for (NodeSpec n : spec.nodes().values()) {
            sb.append("\nnode ");
            value(sb, n.id());
            sb.append(" op=");
            value(sb, n.op());
            sb.append(" after=");
            value(sb, n.after());
            sb.append(" params=");
            value(sb, n.params());
            sb.append(" deadline_ms=");
            value(sb, n.deadlineMs());
            sb.append(" on_timeout=").append(n.onTimeout()).append(" on_error=").append(n.onError());
            sb.append(" min_inputs=");
            value(sb, n.minInputs());
            sb.append(" target_p95_ms=");
            value(sb, n.targetP95Ms());
        }
        sb.append("\noutput ");
        value(sb, spec.output());
        sb.append("\noverrides ");
        value(sb, overrides == null ? Map.of() : overrides);
        return sb.append('\n').toString();
    }

    /**
     * A param value (what YAML or JSON parsing yields) in one spelling: integers of any width as
     * decimal digits, doubles by {@link Double#toString}, strings quoted, maps sorted by key.
     */
    private static void value(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            sb.append(((Number) v).longValue());
        } else if (v instanceof BigInteger b) {
            sb.append(b);
        } else if (v instanceof Double || v instanceof Float) {
            sb.append(Double.toString(((Number) v).doubleValue()));
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                value(sb, l.get(i));
            }
            sb.append(']');
        } else if (v instanceof Map<?, ?> m) {
            Map<String, Object> sorted = new TreeMap<>();
            m.forEach((k, x) -> sorted.put(String.valueOf(k), x));
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : sorted.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(sb, e.getKey());
                sb.append(':');
                value(sb, e.getValue());
            }
            sb.append('}');
        } else {
            // Not produced by our parsers; its own text, tagged with its type so it cannot pass for a string.
            sb.append(v.getClass().getName()).append(':');
            quote(sb, v.toString());
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    static String hash(String canonical) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
