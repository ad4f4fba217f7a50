package dev.funnel.engine.dag;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses DAG YAML into a {@link DagSpec}, keeping the line of every key. Syntax and shape errors
 * (not a mapping, a deadline that is not a number, an unknown or duplicate key) are reported here
 * with file:line; semantic checks are the {@link DagValidator}'s. {@link #read} also returns what
 * could be parsed around shape errors that leave the graph intact, so that validation can report
 * every problem of a file in one pass.
 */
public final class DagLoader {

    static final Set<String> TOP_KEYS = Set.of("dag", "deadline_ms", "defaults", "nodes", "output");
    static final Set<String> DEFAULT_KEYS = Set.of("deadline_ms", "on_timeout", "on_error");
    static final Set<String> NODE_KEYS = Set.of("op", "after", "params", "deadline_ms", "on_timeout",
            "on_error", "min_inputs", "target_p95_ms");

    private DagLoader() {
    }

    /** Loads a file; {@code file} in problems is the path as given. */
    public static DagSpec load(Path path) throws DagException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DagException(List.of(new Problem(path.toString(), 0, "cannot read: " + e)));
        }
        return parse(path.toString(), text);
    }

    /** Loads YAML text; {@code fileName} is used in problems. */
    public static DagSpec parse(String fileName, String yaml) throws DagException {
        Parsed p = read(fileName, yaml);
        if (!p.problems().isEmpty()) {
            throw new DagException(p.problems());
        }
        return p.spec();
    }

    /**
     * What a parse found: the spec and every problem. With problems, {@code spec} is for validation
     * only (to report the rest of the file's problems too) and never compiled: a value that failed
     * to parse is left out (its default applies) and a missing or ill-typed DAG deadline is
     * unbounded, so the validator reports nothing about what the loader already reported.
     *
     * @param spec     the spec, or null when the file's structure (YAML syntax, the DAG's name, its
     *                 node ids, ops, {@code after} lists or output) could not be read: validating
     *                 the rest would report problems that are only echoes of that one
     * @param problems every problem found, in line order; empty when {@code spec} is complete
     */
    public record Parsed(DagSpec spec, List<Problem> problems) {
        public Parsed {
            problems = List.copyOf(problems);
        }
    }

    /** Parses YAML text, returning problems instead of throwing; {@code fileName} is used in problems. */
    public static Parsed read(String fileName, String yaml) {
        try {
            return new Parse(fileName).run(yaml);
        } catch (DagException e) {
            return new Parsed(null, e.problems());
        }
    }

    /** Reads a file as {@link #read(String, String)} does; {@code file} in problems is the path as given. */
    public static Parsed read(Path path) {
        try {
            return read(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Parsed(null, List.of(new Problem(path.toString(), 0, "cannot read: " + e)));
        }
    }

    /** One parse: collects problems; throws only when nothing of the file could be read. */
    private static final class Parse {
        private final String file;
        private final List<Problem> problems = new ArrayList<>();
        /** A problem made the graph unreadable (see {@link Parsed#spec()}); the spec is withheld. */
        private boolean structural;

        Parse(String file) {
            this.file = file;
        }

        Parsed run(String yaml) throws DagException {
            Optional<Node> root;
            try {
                LoadSettings settings = LoadSettings.builder().setLabel(file).setSchema(new CoreSchema())
                        .setAllowDuplicateKeys(true).setMaxAliasesForCollections(50).build();
                root = new Compose(settings).composeString(yaml);
            } catch (MarkedYamlEngineException e) {
                throw new DagException(List.of(YamlSyntax.problem(file, "YAML syntax: ", e)));
            } catch (YamlEngineException e) {
                throw new DagException(List.of(new Problem(file, 0, "YAML syntax: " + YamlSyntax.firstLine(e.getMessage()))));
            }
            if (root.isEmpty()) {
                // Line 1, not 0 (the whole file): an empty file's problem is where its first key belongs, and
                // file:line tools (editors, CI annotations) only jump to a problem that has a line.
                throw new DagException(List.of(new Problem(file, 1, "empty file: expected a mapping with dag, deadline_ms, nodes, output")));
            }
            if (!(root.get() instanceof MappingNode)) {
                throw new DagException(List.of(new Problem(file, line(root.get()), "expected a mapping with dag, deadline_ms, nodes, output at the top")));
            }
            MappingNode rootMap = (MappingNode) root.get(); // an Optional's value, not a wait (loading runs off the event loops)
            if (hasKey(rootMap, "scenes") && !hasKey(rootMap, "dag")) {
                // Routing text under another name (routing-v2.yaml, a PUT to /admin/dags): "unknown key
                // 'scenes'" and "missing 'dag'" would only echo that.
                throw new DagException(List.of(new Problem(file, line(rootMap), "this is routing (it has 'scenes:'), not a DAG: "
                        + "routing is read only from a file named routing.yaml (PUT /admin/routes on the server); a DAG file starts with 'dag:'")));
            }
            Map<String, Integer> lines = new HashMap<>();
            Map<String, Node> top = keys(rootMap, "top level", TOP_KEYS, lines);

            int before = problems.size();
            String name = top.containsKey("dag") ? string(top.get("dag"), "dag") : null;
            if (!top.containsKey("dag")) {
                problems.add(new Problem(file, 1, "missing 'dag: <name>'"));
            }
            structuralIfNew(before);
            Integer deadlineMs = top.containsKey("deadline_ms") ? integer(top.get("deadline_ms"), "deadline_ms") : null;
            if (!top.containsKey("deadline_ms")) {
                problems.add(new Problem(file, 1, "missing 'deadline_ms: <whole request budget>'"));
            }
            DagSpec.Defaults defaults = DagSpec.Defaults.NONE;
            if (top.containsKey("defaults")) {
                defaults = defaults(top.get("defaults"));
            }
            Map<String, NodeSpec> nodes = new LinkedHashMap<>();
            if (top.containsKey("nodes")) {
                nodes(top.get("nodes"), nodes);
            } else {
                problems.add(new Problem(file, 1, "missing 'nodes:'"));
                structural = true;
            }
            before = problems.size();
            String output = top.containsKey("output") ? string(top.get("output"), "output") : null;
            structuralIfNew(before);
            problems.sort((a, b) -> Integer.compare(a.line(), b.line()));
            if (structural) {
                throw new DagException(problems);
            }
            // Unbounded when it failed to parse: the validator then adds nothing about it (see Parsed).
            int deadline = deadlineMs != null ? deadlineMs : problems.isEmpty() ? 0 : Integer.MAX_VALUE;
            return new Parsed(new DagSpec(name, file, deadline, defaults, nodes, output, lines, yaml), problems);
        }

        private void structuralIfNew(int problemsBefore) {
            if (problems.size() > problemsBefore) {
                structural = true;
            }
        }

        private DagSpec.Defaults defaults(Node n) {
            Map<String, Node> m = keys(n, "defaults", DEFAULT_KEYS, new HashMap<>());
            if (m == null) {
                return DagSpec.Defaults.NONE;
            }
            Integer deadline = m.containsKey("deadline_ms") ? integer(m.get("deadline_ms"), "defaults: deadline_ms") : null;
            Policy onTimeout = m.containsKey("on_timeout") ? policy(m.get("on_timeout"), "defaults: on_timeout") : null;
            Policy onError = m.containsKey("on_error") ? policy(m.get("on_error"), "defaults: on_error") : null;
            return new DagSpec.Defaults(deadline,
                    onTimeout == null ? DagSpec.Defaults.NONE.onTimeout() : onTimeout,
                    onError == null ? DagSpec.Defaults.NONE.onError() : onError);
        }

        private void nodes(Node n, Map<String, NodeSpec> out) {
            if (!(n instanceof MappingNode)) {
                problems.add(new Problem(file, line(n), "'nodes' must be a mapping of node id to node, got " + describe(n)));
                structural = true;
                return;
            }
            Map<String, Integer> firstLine = new HashMap<>();
            for (NodeTuple t : ((MappingNode) n).getValue()) {
                String id = keyString(t.getKeyNode());
                if (id == null) {
                    structural = true; // a node without an id: edges to it cannot be checked
                    continue;
                }
                int line = line(t.getKeyNode());
                Integer prev = firstLine.putIfAbsent(id, line);
                if (prev != null) {
                    problems.add(new Problem(file, line, "duplicate node id '" + id + "' (first defined at line " + prev + ")"));
                    continue;
                }
                NodeSpec spec = node(id, line, t.getValueNode());
                if (spec != null) {
                    out.put(id, spec);
                }
            }
        }

        private NodeSpec node(String id, int line, Node n) {
            String where = "node '" + id + "'";
            Map<String, Integer> keyLines = new HashMap<>();
            Map<String, Node> m = keys(n, where, NODE_KEYS, keyLines);
            if (m == null) {
                structural = true;
                return null;
            }
            // The node's op and edges are the graph: without them the validator's checks are echoes.
            int before = problems.size();
            String op = null;
            if (m.containsKey("op")) {
                op = string(m.get("op"), where + ": op");
            } else {
                problems.add(new Problem(file, line, where + ": missing 'op'"));
            }
            List<String> after = m.containsKey("after") ? stringList(m.get("after"), where + ": after") : List.of();
            structuralIfNew(before);
            Map<String, Integer> paramLines = new HashMap<>();
            Map<String, Object> params = new LinkedHashMap<>();
            if (m.containsKey("params")) {
                Node p = m.get("params");
                if (p instanceof MappingNode) {
                    Map<String, Node> pm = keys(p, where + ": params", null, paramLines);
                    for (Map.Entry<String, Node> e : pm.entrySet()) {
                        params.put(e.getKey(), value(e.getValue(), where + ": param '" + e.getKey() + "'"));
                        keyLines(e.getKey(), e.getValue(), paramLines);
                    }
                } else if (!isNull(p)) {
                    problems.add(new Problem(file, line(p), where + ": params must be a mapping, got " + describe(p)));
                    structural = true; // every param would be reported missing
                }
            }
            Integer deadline = m.containsKey("deadline_ms") ? integer(m.get("deadline_ms"), where + ": deadline_ms") : null;
            Policy onTimeout = m.containsKey("on_timeout") ? policy(m.get("on_timeout"), where + ": on_timeout") : null;
            Policy onError = m.containsKey("on_error") ? policy(m.get("on_error"), where + ": on_error") : null;
            Integer minInputs = m.containsKey("min_inputs") ? integer(m.get("min_inputs"), where + ": min_inputs") : null;
            Double p95 = m.containsKey("target_p95_ms") ? number(m.get("target_p95_ms"), where + ": target_p95_ms") : null;
            return new NodeSpec(id, op, after, params, deadline, onTimeout, onError, minInputs, p95, line, paramLines, keyLines);
        }

        /**
         * Records the line of each key of a param's mapping as {@code param.key}, so an operator's
         * check can point at the key it rejects (a quota naming no input) rather than at the node.
         * The first of duplicate keys wins, as it does in the value ({@link #keys} reported the rest).
         */
        private static void keyLines(String param, Node value, Map<String, Integer> lines) {
            if (!(value instanceof MappingNode)) {
                return;
            }
            for (NodeTuple t : ((MappingNode) value).getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && !Tag.NULL.equals(k.getTag())) {
                    lines.putIfAbsent(param + "." + k.getValue(), line(k));
                }
            }
        }

        /**
         * The keys of a mapping, with duplicate and (when {@code allowed} is given) unknown keys
         * reported; records each key's line in {@code lines}. Null when {@code n} is not a mapping.
         */
        private Map<String, Node> keys(Node n, String where, Set<String> allowed, Map<String, Integer> lines) {
            if (!(n instanceof MappingNode)) {
                problems.add(new Problem(file, line(n), where + " must be a mapping, got " + describe(n)));
                return null;
            }
            Map<String, Node> out = new LinkedHashMap<>();
            for (NodeTuple t : ((MappingNode) n).getValue()) {
                String key = keyString(t.getKeyNode());
                if (key == null) {
                    continue;
                }
                int line = line(t.getKeyNode());
                if (out.containsKey(key)) {
                    problems.add(new Problem(file, line, where + ": duplicate key '" + key + "' (first at line " + lines.get(key) + ")"));
                    continue;
                }
                if (allowed != null && !allowed.contains(key)) {
                    String near = Names.closest(key, allowed);
                    problems.add(new Problem(file, line, where + ": unknown key '" + key + "'"
                            + (near == null ? "" : "; did you mean '" + near + "'?") + " (allowed: " + new java.util.TreeSet<>(allowed) + ")"));
                    continue;
                }
                out.put(key, t.getValueNode());
                lines.put(key, line);
            }
            return out;
        }

        private String keyString(Node k) {
            if (k instanceof ScalarNode && !Tag.NULL.equals(k.getTag())) {
                return ((ScalarNode) k).getValue();
            }
            problems.add(new Problem(file, line(k), "a key must be a plain string, got " + describe(k)));
            return null;
        }

        private String string(Node n, String where) {
            if (n instanceof ScalarNode && !isNull(n)) {
                return ((ScalarNode) n).getValue();
            }
            problems.add(new Problem(file, line(n), where + " must be a string, got " + describe(n)));
            return null;
        }

        private Integer integer(Node n, String where) {
            if (n instanceof ScalarNode && Tag.INT.equals(n.getTag())) {
                Object v = scalar((ScalarNode) n);
                if (v instanceof Integer) {
                    return (Integer) v;
                }
                // An integer, only too large: "must be an integer, got integer 99999999999" contradicted itself (params say it so).
                problems.add(new Problem(file, line(n), where + " is out of range for int, got "
                        + ((ScalarNode) n).getValue()));
                return null;
            }
            problems.add(new Problem(file, line(n), where + " must be an integer, got " + describe(n)));
            return null;
        }

        private Double number(Node n, String where) {
            if (n instanceof ScalarNode && (Tag.INT.equals(n.getTag()) || Tag.FLOAT.equals(n.getTag()))) {
                Object v = scalar((ScalarNode) n);
                if (v instanceof Number) {
                    return ((Number) v).doubleValue();
                }
            }
            problems.add(new Problem(file, line(n), where + " must be a number, got " + describe(n)));
            return null;
        }

        private List<String> stringList(Node n, String where) {
            if (n instanceof ScalarNode && !isNull(n)) {
                return List.of(((ScalarNode) n).getValue());
            }
            if (isNull(n)) {
                return List.of();
            }
            if (!(n instanceof SequenceNode)) {
                problems.add(new Problem(file, line(n), where + " must be a list of node ids, got " + describe(n)));
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (Node e : ((SequenceNode) n).getValue()) {
                String s = string(e, where + " entry");
                if (s != null) {
                    out.add(s);
                }
            }
            return out;
        }

        private Policy policy(Node n, String where) {
            if (n instanceof ScalarNode && !isNull(n)) {
                String v = ((ScalarNode) n).getValue();
                if (v.equals("skip")) {
                    return Policy.SKIP;
                }
                if (v.equals("fail")) {
                    return Policy.FAIL;
                }
            } else if (n instanceof MappingNode) {
                List<NodeTuple> ts = ((MappingNode) n).getValue();
                if (ts.size() == 1 && ts.get(0).getKeyNode() instanceof ScalarNode
                        && "fallback".equals(((ScalarNode) ts.get(0).getKeyNode()).getValue())) {
                    String target = string(ts.get(0).getValueNode(), where + ": fallback");
                    return target == null ? null : Policy.fallback(target);
                }
            }
            problems.add(new Problem(file, line(n), where + " must be skip, fail or {fallback: <node>}, got " + describe(n)));
            return null;
        }

        /** A param value as Java: Integer/Long/BigInteger, Double, Boolean, String, null, List, Map. */
        private Object value(Node n, String where) {
            if (n instanceof ScalarNode) {
                return scalar((ScalarNode) n);
            }
            if (n instanceof SequenceNode) {
                List<Object> out = new ArrayList<>();
                for (Node e : ((SequenceNode) n).getValue()) {
                    out.add(value(e, where));
                }
                return out;
            }
            Map<String, Node> m = keys(n, where, null, new HashMap<>());
            Map<String, Object> out = new LinkedHashMap<>();
            if (m != null) {
                for (Map.Entry<String, Node> e : m.entrySet()) {
                    out.put(e.getKey(), value(e.getValue(), where));
                }
            }
            return out;
        }

        private static Object scalar(ScalarNode n) {
            String v = n.getValue();
            Tag tag = n.getTag();
            try {
                if (Tag.NULL.equals(tag)) {
                    return null;
                }
                if (Tag.BOOL.equals(tag)) {
                    return Boolean.valueOf(v.toLowerCase());
                }
                if (Tag.INT.equals(tag)) {
                    String s = v.replace("_", "");
                    BigInteger b;
                    if (s.startsWith("0x") || s.startsWith("-0x") || s.startsWith("+0x")) {
                        b = new BigInteger(s.replaceFirst("0x", ""), 16);
                    } else if (s.startsWith("0o")) {
                        b = new BigInteger(s.substring(2), 8);
                    } else {
                        b = new BigInteger(s);
                    }
                    if (b.bitLength() < 32) {
                        return b.intValue();
                    }
                    return b.bitLength() < 64 ? (Object) b.longValue() : b;
                }
                if (Tag.FLOAT.equals(tag)) {
                    String s = v.toLowerCase();
                    if (s.endsWith(".inf")) {
                        return s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                    }
                    if (s.equals(".nan")) {
                        return Double.NaN;
                    }
                    return Double.valueOf(v.replace("_", ""));
                }
            } catch (NumberFormatException e) {
                return v;
            }
            return v;
        }

        private static boolean hasKey(MappingNode m, String key) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && key.equals(k.getValue())) {
                    return true;
                }
            }
            return false;
        }

        private static boolean isNull(Node n) {
            return n instanceof ScalarNode && Tag.NULL.equals(n.getTag());
        }

        private static String describe(Node n) {
            if (n instanceof ScalarNode) {
                ScalarNode s = (ScalarNode) n;
                if (Tag.NULL.equals(s.getTag())) {
                    return "nothing";
                }
                String kind = Tag.INT.equals(s.getTag()) ? "integer" : Tag.FLOAT.equals(s.getTag()) ? "number"
                        : Tag.BOOL.equals(s.getTag()) ? "boolean" : "string";
                return kind + " '" + s.getValue() + "'";
            }
            return n instanceof SequenceNode ? "a list" : "a mapping";
        }

        private static int line(Node n) {
            return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        }
    }
}
