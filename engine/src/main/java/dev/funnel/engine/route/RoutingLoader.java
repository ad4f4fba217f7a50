package dev.funnel.engine.route;

import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.Problem;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.io.IOException;
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
 * Parses a routing file, keeping the line of every key. Shape errors (not a mapping, unknown key,
 * a traffic that is not a number) are reported here with file:line; whether the DAGs and
 * overrides exist is the {@link RoutingValidator}'s job. {@link #read} also returns what could be
 * parsed around shape errors, so that validation reports every problem of a file in one pass.
 *
 * <pre>
 * scenes:
 *   home:
 *     routes:
 *       - {name: control, dag: home_feed, traffic: 90}
 *       - name: wide
 *         dag: home_feed
 *         traffic: 10
 *         overrides: {hot: {limit: 500}}
 * </pre>
 */
public final class RoutingLoader {

    private static final Set<String> TOP_KEYS = Set.of("scenes");
    private static final Set<String> SCENE_KEYS = Set.of("routes");
    /** In file order, so messages read the same on every JVM. */
    private static final List<String> ROUTE_KEYS = List.of("name", "dag", "traffic", "overrides");

    private RoutingLoader() {
    }

    /** Loads a file; {@code file} in problems is the path as given. */
    public static RoutingSpec load(Path path) throws DagException {
        return orThrow(read(path));
    }

    /** Parses YAML text; {@code fileName} is used in problems. */
    public static RoutingSpec parse(String fileName, String yaml) throws DagException {
        return orThrow(read(fileName, yaml));
    }

    private static RoutingSpec orThrow(Parsed p) throws DagException {
        if (!p.problems().isEmpty()) {
            throw new DagException(p.problems());
        }
        return p.spec();
    }

    /**
     * What a parse found: the spec and every shape problem, as {@code DagLoader.Parsed} is for DAG
     * files. With problems, {@code spec} is for validation only (so the first report also names
     * unknown DAGs and bad overrides) and never served: a route missing its name or DAG is left
     * out, a route whose traffic did not parse has traffic NaN, and either leaves its scene
     * {@linkplain RoutingSpec.Scene#complete() incomplete}, so the validator echoes none of them.
     *
     * @param spec     the spec, or null when the file could not be read as a routing file at all
     *                 (YAML syntax, not a mapping, no readable {@code scenes:})
     * @param problems every shape problem, in line order; empty when {@code spec} is complete
     */
    public record Parsed(RoutingSpec spec, List<Problem> problems) {
        public Parsed {
            problems = List.copyOf(problems);
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

    /** Parses YAML text, returning every problem instead of throwing; {@code fileName} is used in problems. */
    public static Parsed read(String fileName, String yaml) {
        List<Problem> problems = new ArrayList<>();
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(fileName).build()).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            return new Parsed(null, List.of(dev.funnel.engine.dag.YamlSyntax.problem(fileName, "not valid YAML: ", e)));
        } catch (YamlEngineException e) {
            return new Parsed(null, List.of(new Problem(fileName, 0, "not valid YAML: " + e.getMessage())));
        }
        if (root.isEmpty() || !(root.get() instanceof MappingNode top)) {
            // An empty file's problem is at line 1, as an empty DAG file's (DagLoader).
            return new Parsed(null, List.of(new Problem(fileName, root.map(YamlNodes::line).orElse(1),
                    "a routing file must be a mapping with a 'scenes:' key")));
        }
        Map<String, RoutingSpec.Scene> scenes = new LinkedHashMap<>();
        boolean sawScenes = false;
        boolean readScenes = false;
        for (NodeTuple t : top.getValue()) {
            String key = YamlNodes.scalarText(t.getKeyNode());
            int line = YamlNodes.line(t.getKeyNode());
            if (!TOP_KEYS.contains(key)) {
                problems.add(new Problem(fileName, line, "unknown key '" + key + "'; expected one of " + TOP_KEYS));
                continue;
            }
            sawScenes = true;
            if (!(t.getValueNode() instanceof MappingNode sm)) {
                problems.add(new Problem(fileName, line, "'scenes' must be a mapping of scene name to routes, got "
                        + YamlNodes.kind(t.getValueNode())));
                continue;
            }
            readScenes = true;
            for (NodeTuple st : sm.getValue()) {
                String scene = YamlNodes.scalarText(st.getKeyNode());
                int sceneLine = YamlNodes.line(st.getKeyNode());
                if (scenes.containsKey(scene)) {
                    problems.add(new Problem(fileName, sceneLine, "scene '" + scene + "' is defined twice"));
                    continue;
                }
                RoutingSpec.Scene s = parseScene(fileName, scene, sceneLine, st.getValueNode(), problems);
                if (s != null) {
                    scenes.put(scene, s);
                }
            }
        }
        if (!sawScenes) {
            problems.add(new Problem(fileName, YamlNodes.line(top), "missing 'scenes:'"));
        }
        problems.sort(ConfigSet.PROBLEM_ORDER);
        // Without a readable 'scenes:' there is nothing to validate: "no scenes" would only echo it.
        return new Parsed(readScenes || problems.isEmpty() ? new RoutingSpec(fileName, scenes, yaml) : null, problems);
    }

    private static RoutingSpec.Scene parseScene(String file, String scene, int sceneLine, Node node, List<Problem> problems) {
        if (!(node instanceof MappingNode m)) {
            problems.add(new Problem(file, sceneLine, "scene '" + scene + "' must be a mapping with 'routes:', got "
                    + YamlNodes.kind(node)));
            return null;
        }
        List<RoutingSpec.Route> routes = new ArrayList<>();
        boolean sawRoutes = false;
        boolean complete = true;
        for (NodeTuple t : m.getValue()) {
            String key = YamlNodes.scalarText(t.getKeyNode());
            int line = YamlNodes.line(t.getKeyNode());
            if (!SCENE_KEYS.contains(key)) {
                problems.add(new Problem(file, line, "scene '" + scene + "': unknown key '" + key + "'; expected one of " + SCENE_KEYS));
                continue;
            }
            sawRoutes = true;
            if (!(t.getValueNode() instanceof SequenceNode seq)) {
                problems.add(new Problem(file, line, "scene '" + scene + "': 'routes' must be a list, got " + YamlNodes.kind(t.getValueNode())));
                complete = false;
                continue;
            }
            for (Node r : seq.getValue()) {
                RoutingSpec.Route route = parseRoute(file, scene, r, problems);
                if (route == null || Double.isNaN(route.trafficPercent())) {
                    complete = false;
                }
                if (route != null) {
                    routes.add(route);
                }
            }
        }
        if (!sawRoutes) {
            problems.add(new Problem(file, sceneLine, "scene '" + scene + "': missing 'routes:'"));
            complete = false;
        }
        // A route (or its traffic) left out for a reported problem: the validator's totals would only echo it.
        return new RoutingSpec.Scene(scene, routes, sceneLine, complete);
    }

    private static RoutingSpec.Route parseRoute(String file, String scene, Node node, List<Problem> problems) {
        int routeLine = YamlNodes.line(node);
        if (!(node instanceof MappingNode m)) {
            problems.add(new Problem(file, routeLine, "scene '" + scene + "': a route must be a mapping with name, dag, traffic, got "
                    + YamlNodes.kind(node)));
            return null;
        }
        String name = null;
        String dag = null;
        Double traffic = null;
        Map<String, Map<String, Object>> overrides = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = YamlNodes.scalarText(t.getKeyNode());
            int line = YamlNodes.line(t.getKeyNode());
            Node v = t.getValueNode();
            String where = "scene '" + scene + "', route" + (name == null ? "" : " '" + name + "'") + ": ";
            lines.put(key, line);
            switch (key == null ? "" : key) {
                case "name" -> name = YamlNodes.scalarText(v);
                case "dag" -> dag = YamlNodes.scalarText(v);
                case "traffic" -> {
                    Object tv = YamlNodes.toValue(v);
                    if (tv instanceof Number num && !Double.isNaN(num.doubleValue())) {
                        traffic = num.doubleValue();
                    } else {
                        problems.add(new Problem(file, line, where + "'traffic' must be a number of percent (0..100), got " + YamlNodes.kind(v)));
                    }
                }
                case "overrides" -> parseOverrides(file, where, v, line, overrides, lines, problems);
                default -> problems.add(new Problem(file, line, where + "unknown key '" + key + "'; expected one of " + ROUTE_KEYS));
            }
        }
        String where = "scene '" + scene + "', route" + (name == null ? "" : " '" + name + "'") + ": ";
        if (name == null || name.isBlank()) {
            problems.add(new Problem(file, routeLine, where + "missing 'name'"));
        }
        if (dag == null || dag.isBlank()) {
            problems.add(new Problem(file, routeLine, where + "missing 'dag'"));
        }
        if (traffic == null && !lines.containsKey("traffic")) {
            problems.add(new Problem(file, routeLine, where + "missing 'traffic'"));
        }
        if (name == null || name.isBlank() || dag == null || dag.isBlank()) {
            return null; // nothing to validate it by; its scene is left incomplete (problems were added)
        }
        // Kept with its other problems reported, so its DAG and overrides are validated in the same pass;
        // NaN traffic marks a value the loader already reported (the validator skips it).
        return new RoutingSpec.Route(name, dag, traffic == null ? Double.NaN : traffic, overrides, routeLine, lines);
    }

    private static void parseOverrides(String file, String where, Node v, int line, Map<String, Map<String, Object>> out,
                                       Map<String, Integer> lines, List<Problem> problems) {
        if (!(v instanceof MappingNode m)) {
            problems.add(new Problem(file, line, where + "'overrides' must be a mapping of node → {param: value}, got " + YamlNodes.kind(v)));
            return;
        }
        for (NodeTuple nt : m.getValue()) {
            String node = YamlNodes.scalarText(nt.getKeyNode());
            int nodeLine = YamlNodes.line(nt.getKeyNode());
            lines.put(node, nodeLine);
            if (!(nt.getValueNode() instanceof MappingNode pm)) {
                problems.add(new Problem(file, nodeLine, where + "override of node '" + node
                        + "' must be a mapping of param → value, got " + YamlNodes.kind(nt.getValueNode())));
                continue;
            }
            Map<String, Object> params = new LinkedHashMap<>();
            for (NodeTuple pt : pm.getValue()) {
                String param = YamlNodes.scalarText(pt.getKeyNode());
                lines.put(node + "." + param, YamlNodes.line(pt.getKeyNode()));
                params.put(param, YamlNodes.toValue(pt.getValueNode()));
            }
            out.put(node, params);
        }
    }
}
