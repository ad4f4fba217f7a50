package dev.funnel.engine.route;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A routing file as written, before validation.
 *
 * @param file   where it came from, for messages
 * @param scenes scenes by name, in file order
 * @param source the YAML text it was read from, as written (comments included): what the admin API
 *               gives back, so the live routing can be read, edited and uploaded again
 */
public record RoutingSpec(String file, Map<String, Scene> scenes, String source) {

    public RoutingSpec {
        scenes = Collections.unmodifiableMap(new LinkedHashMap<>(scenes));
    }

    /**
     * One scene's routes.
     *
     * @param name   the scene, as clients send it in {@code "scene"}
     * @param routes its routes, in file order; buckets are assigned in this order
     * @param line   the line of the scene's key
     * @param complete false when the loader left out a route, or a route's traffic, for a shape
     *                 problem it reported: such a scene is validated (its DAGs and overrides) but
     *                 not summed, since its traffic total would only echo that problem; never served
     */
    public record Scene(String name, List<Route> routes, int line, boolean complete) {
        public Scene {
            routes = List.copyOf(routes);
        }

        /** A scene as written, every route read. */
        public Scene(String name, List<Route> routes, int line) {
            this(name, routes, line, true);
        }
    }

    /**
     * One route: a share of the scene's buckets served by a DAG with parameter overrides.
     *
     * @param name          the route's name (reported in metrics and debug responses)
     * @param dag           the DAG's {@code dag:} name
     * @param trafficPercent share of the scene's users, 0..100 (hundredths allowed: 0.25 = 25 buckets)
     * @param overrides     node id → param → value, applied on top of the DAG file's params
     * @param line          the line of the route's entry
     * @param lines         lines of the route's keys ({@code dag}, {@code traffic}) and of each
     *                      override as {@code node} and {@code node.param}
     */
    public record Route(String name, String dag, double trafficPercent, Map<String, Map<String, Object>> overrides,
                        int line, Map<String, Integer> lines) {
        public Route {
            Map<String, Map<String, Object>> o = new LinkedHashMap<>();
            overrides.forEach((k, v) -> o.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
            overrides = Collections.unmodifiableMap(o);
            lines = Map.copyOf(lines);
        }

        /** The line of a key, or the route's line. */
        public int lineOf(String key) {
            return lines.getOrDefault(key, line);
        }
    }
}
