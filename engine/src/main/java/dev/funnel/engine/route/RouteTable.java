package dev.funnel.engine.route;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.DagSpec;
import dev.funnel.engine.dag.Problem;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every DAG of a {@link ConfigSet} compiled, and every scene's routes compiled with their overrides,
 * with the bucket range each route owns. Immutable and shared by all requests; a hot swap builds a
 * new one off the request path and publishes it atomically. {@link #pick} is allocation-free.
 */
public final class RouteTable {

    /**
     * One compiled route.
     *
     * @param scene       the scene
     * @param name        the route's name
     * @param dag         its DAG, compiled with the route's overrides
     * @param fromBucket  first bucket it owns (inclusive)
     * @param toBucket    end of its buckets (exclusive); equal to fromBucket for a 0% route
     * @param overrides   the overrides it was compiled with
     */
    public record Route(String scene, String name, CompiledDag dag, int fromBucket, int toBucket,
                        Map<String, Map<String, Object>> overrides) {
    }

    private final ConfigSet config;
    private final Map<String, CompiledDag> dags;
    private final Map<String, Route[]> byScene;

    private RouteTable(ConfigSet config, Map<String, CompiledDag> dags, Map<String, Route[]> byScene) {
        this.config = config;
        this.dags = Collections.unmodifiableMap(dags);
        this.byScene = Collections.unmodifiableMap(byScene);
    }

    /**
     * Validates and compiles everything: each DAG as written, then each route with its overrides
     * (routes without overrides share the DAG's compilation).
     *
     * @throws DagException with every problem (validation and compilation) in every file
     */
    public static RouteTable compile(ConfigSet config, DagCompiler compiler) throws DagException {
        List<Problem> problems = new ArrayList<>(config.validate(compiler.registry(), compiler.env()));
        if (config.routing() == null) {
            problems.add(new Problem(ConfigSet.ROUTING_FILE, 0, "no routing file: no scene can be served"));
        }
        if (!problems.isEmpty()) {
            throw new DagException(problems);
        }
        Map<String, CompiledDag> dags = new LinkedHashMap<>();
        for (DagSpec d : config.dags().values()) {
            try {
                dags.put(d.name(), compiler.compile(d));
            } catch (DagException e) {
                problems.addAll(e.problems());
            }
        }
        Map<String, Route[]> byScene = new LinkedHashMap<>();
        Map<List<Object>, CompiledDag> cache = new HashMap<>();
        for (RoutingSpec.Scene s : config.routing().scenes().values()) {
            List<Route> routes = new ArrayList<>();
            int from = 0;
            for (RoutingSpec.Route r : s.routes()) {
                int width = (int) Math.rint(r.trafficPercent() * Buckets.COUNT / 100.0);
                CompiledDag compiled = dags.get(r.dag());
                if (compiled == null) {
                    continue; // its own problem is already reported
                }
                if (!r.overrides().isEmpty()) {
                    List<Object> key = List.of(r.dag(), r.overrides());
                    compiled = cache.get(key);
                    if (compiled == null) {
                        try {
                            compiled = compiler.compile(config.dags().get(r.dag()), r.overrides());
                            cache.put(key, compiled);
                        } catch (DagException e) {
                            String where = config.routing().file() + ":" + r.line() + ": scene '" + s.name()
                                    + "', route '" + r.name() + "': ";
                            for (Problem p : e.problems()) {
                                problems.add(new Problem(p.file(), p.line(), where + p.message()));
                            }
                            continue;
                        }
                    }
                }
                routes.add(new Route(s.name(), r.name(), compiled, from, from + width, r.overrides()));
                from += width;
            }
            byScene.put(s.name(), routes.toArray(new Route[0]));
        }
        if (!problems.isEmpty()) {
            problems.sort(ConfigSet.PROBLEM_ORDER);
            throw new DagException(problems);
        }
        return new RouteTable(config, dags, byScene);
    }

    /**
     * The route that serves this bucket of this scene, or null for an unknown scene. Any thread.
     *
     * @param bucket from {@link Buckets#of}, in {@code 0..Buckets.COUNT-1}
     */
    public Route pick(String scene, int bucket) {
        Route[] routes = byScene.get(scene);
        if (routes == null) {
            return null;
        }
        for (Route r : routes) {
            if (bucket < r.toBucket()) {
                if (bucket >= r.fromBucket()) {
                    return r;
                }
            }
        }
        // Unreachable for a validated table (ranges cover 0..COUNT); the last route is the safe answer.
        return routes[routes.length - 1];
    }

    /** Whether clients may ask for this scene. */
    public boolean hasScene(String scene) {
        return byScene.containsKey(scene);
    }

    /** Scene names, in file order. */
    public List<String> scenes() {
        return List.copyOf(byScene.keySet());
    }

    /** A scene's routes in bucket order, or an empty list. */
    public List<Route> routes(String scene) {
        Route[] r = byScene.get(scene);
        return r == null ? List.of() : List.of(r);
    }

    /** Every DAG compiled as written (no overrides), by name. */
    public Map<String, CompiledDag> dags() {
        return dags;
    }

    /** The configuration this table was compiled from. */
    public ConfigSet config() {
        return config;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RouteTable{");
        byScene.forEach((s, rs) -> {
            sb.append(s).append(": [");
            for (Route r : rs) {
                sb.append(r.name()).append("→").append(r.dag().name()).append(' ')
                        .append(r.fromBucket()).append("..").append(r.toBucket()).append(", ");
            }
            sb.append("] ");
        });
        return sb.append('}').toString();
    }
}
