package dev.funnel.engine.route;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small helpers over snakeyaml-engine's node tree: 1-based lines and plain Java values. */
final class YamlNodes {

    private YamlNodes() {
    }

    /** 1-based line of the node's start. */
    static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    static String scalarText(Node n) {
        return n instanceof ScalarNode s ? s.getValue() : null;
    }

    /**
     * The node as a plain value: Integer or Long for ints, Double for floats, Boolean, String,
     * null, List, or LinkedHashMap with string keys.
     */
    static Object toValue(Node n) {
        if (n instanceof ScalarNode s) {
            Tag t = s.getTag();
            String v = s.getValue();
            if (Tag.NULL.equals(t)) {
                return null;
            }
            if (Tag.BOOL.equals(t)) {
                return Boolean.parseBoolean(v.toLowerCase());
            }
            if (Tag.INT.equals(t)) {
                try {
                    long l = Long.parseLong(v.replace("_", ""));
                    return l == (int) l ? (Object) (int) l : (Object) l;
                } catch (NumberFormatException e) {
                    return v;
                }
            }
            if (Tag.FLOAT.equals(t)) {
                try {
                    return Double.parseDouble(v.replace("_", ""));
                } catch (NumberFormatException e) {
                    return v;
                }
            }
            return v;
        }
        if (n instanceof SequenceNode seq) {
            List<Object> out = new ArrayList<>();
            for (Node c : seq.getValue()) {
                out.add(toValue(c));
            }
            return out;
        }
        if (n instanceof MappingNode m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                out.put(String.valueOf(scalarText(t.getKeyNode())), toValue(t.getValueNode()));
            }
            return out;
        }
        return null;
    }

    /** A short name of the node's kind, for messages. */
    static String kind(Node n) {
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        return "'" + scalarText(n) + "'";
    }
}
