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
 * overrides exist is the {@link RoutingValidator}'s job.
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
    private static final Set<String> ROUTE_KEYS = Set.of("name", "dag", "traffic", "overrides");

    private RoutingLoader() {
    }

    /** Loads a file; {@code file} in problems is the path as given. */
    public static RoutingSpec load(Path path) throws DagException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DagException(List.of(new Problem(path.toString(), 0, "cannot read: " + e)));
        }
        return parse(path.toString(), text);
    }

    /** Parses YAML text; {@code fileName} is used in problems. */
    public static RoutingSpec parse(String fileName, String yaml) throws DagException {
        List<Problem> problems = new ArrayList<>();
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(fileName).build()).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new DagException(List.of(new Problem(fileName, line, "not valid YAML: " + e.getProblem())));
        } catch (YamlEngineException e) {
            throw new DagException(List.of(new Problem(fileName, 0, "not valid YAML: " + e.getMessage())));
        }
        if (root.isEmpty() || !(root.get() instanceof MappingNode top)) {
            throw new DagException(List.of(new Problem(fileName, root.map(YamlNodes::line).orElse(0),
                    "a routing file must be a mapping with a 'scenes:' key")));
        }
        Map<String, RoutingSpec.Scene> scenes = new LinkedHashMap<>();
        boolean sawScenes = false;
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
        if (!problems.isEmpty()) {
            problems.sort(ConfigSet.PROBLEM_ORDER);
            throw new DagException(problems);
        }
        return new RoutingSpec(fileName, scenes);
    }

    private static RoutingSpec.Scene parseScene(String file, String scene, int sceneLine, Node node, List<Problem> problems) {
        if (!(node instanceof MappingNode m)) {
            problems.add(new Problem(file, sceneLine, "scene '" + scene + "' must be a mapping with 'routes:', got "
                    + YamlNodes.kind(node)));
            return null;
        }
        List<RoutingSpec.Route> routes = new ArrayList<>();
        boolean sawRoutes = false;
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
                continue;
            }
            for (Node r : seq.getValue()) {
                RoutingSpec.Route route = parseRoute(file, scene, r, problems);
                if (route != null) {
                    routes.add(route);
                }
            }
        }
        if (!sawRoutes) {
            problems.add(new Problem(file, sceneLine, "scene '" + scene + "': missing 'routes:'"));
        }
        return new RoutingSpec.Scene(scene, routes, sceneLine);
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
        int before = problems.size();
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
                    if (tv instanceof Number num) {
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
        if (problems.size() != before) {
            return null;
        }
        return new RoutingSpec.Route(name, dag, traffic, overrides, routeLine, lines);
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
