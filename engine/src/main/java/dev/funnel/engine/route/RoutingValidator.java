package dev.funnel.engine.route;

import dev.funnel.engine.dag.DagSpec;
import dev.funnel.engine.dag.DagValidator;
import dev.funnel.engine.dag.NodeSpec;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.dag.Problem;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Static validation of a {@link RoutingSpec}: every scene has routes whose traffic sums to 100%
 * (to the bucket), route names are unique in a scene, every route names a known DAG, and every
 * override names a node of that DAG and a parameter its operator declares, with a value of the
 * declared type and range. Reports every problem, with the routing file's lines.
 */
public final class RoutingValidator {

    private RoutingValidator() {
    }

    /**
     * Every problem, in line order; empty when valid.
     *
     * @param dags     the known DAGs by their {@code dag:} name
     * @param registry the operators, for override checks
     */
    public static List<Problem> validate(RoutingSpec spec, Map<String, DagSpec> dags, OperatorRegistry registry) {
        return validate(spec, dags, registry, new OperatorEnv());
    }

    /**
     * Every problem, in line order, the operators' checks of overridden params against the services
     * in {@code env} included; empty when valid.
     */
    public static List<Problem> validate(RoutingSpec spec, Map<String, DagSpec> dags, OperatorRegistry registry, OperatorEnv env) {
        List<Problem> problems = new ArrayList<>();
        String file = spec.file();
        if (spec.scenes().isEmpty()) {
            problems.add(new Problem(file, 1, "no scenes: routing needs at least one scene"));
        }
        for (RoutingSpec.Scene scene : spec.scenes().values()) {
            String sw = "scene '" + scene.name() + "': ";
            if (scene.routes().isEmpty()) {
                if (scene.complete()) { // else the loader reported why its routes are missing
                    problems.add(new Problem(file, scene.line(), sw + "no routes"));
                }
                continue;
            }
            int bucketSum = 0;
            Set<String> names = new HashSet<>();
            for (RoutingSpec.Route r : scene.routes()) {
                String rw = "scene '" + scene.name() + "', route '" + r.name() + "': ";
                if (!names.add(r.name())) {
                    problems.add(new Problem(file, r.lineOf("name"), rw + "duplicate route name"));
                }
                double t = r.trafficPercent();
                double buckets = t * Buckets.COUNT / 100.0;
                if (Double.isNaN(t)) {
                    // The loader reported this route's traffic (missing or not a number) and left the scene incomplete.
                } else if (t < 0 || t > 100) {
                    problems.add(new Problem(file, r.lineOf("traffic"), rw + "traffic must be in 0..100 percent, got " + t));
                } else if (Math.abs(buckets - Math.rint(buckets)) > 1e-6) {
                    problems.add(new Problem(file, r.lineOf("traffic"), rw + "traffic must be a multiple of "
                            + (100.0 / Buckets.COUNT) + "% (one bucket), got " + t));
                } else {
                    bucketSum += (int) Math.rint(buckets);
                }
                DagSpec dag = dags.get(r.dag());
                if (dag == null) {
                    problems.add(new Problem(file, r.lineOf("dag"), rw + "unknown dag '" + r.dag() + "'; known: "
                            + new java.util.TreeSet<>(dags.keySet())));
                    continue;
                }
                Set<String> rejected = checkOverrides(file, rw, r, dag, registry, problems);
                // The nodes whose overrides passed the schema still get the operators' checks: one bad
                // param used to hide, until the next upload, what the operators reject of the others.
                Map<String, Map<String, Object>> wellTyped = new LinkedHashMap<>(r.overrides());
                wellTyped.keySet().removeAll(rejected);
                if (!wellTyped.isEmpty()) {
                    checkOverriddenDag(file, rw, wellTyped, r.line(), dag, registry, env, problems);
                }
            }
            if (scene.complete() && bucketSum != Buckets.COUNT && problems.stream().noneMatch(p -> p.message().contains("traffic must"))) {
                problems.add(new Problem(file, scene.line(), sw + "traffic must sum to 100%, got "
                        + (bucketSum * 100.0 / Buckets.COUNT) + "%"));
            }
        }
        problems.sort(ConfigSet.PROBLEM_ORDER);
        return problems;
    }

    /**
     * The operators' own checks of the params as overridden (a fusion formula, a rule, one param
     * against another): what compiling the route would reject, at the route's line.
     */
    private static void checkOverriddenDag(String file, String rw, Map<String, Map<String, Object>> overrides, int routeLine,
                                           DagSpec dag, OperatorRegistry registry, OperatorEnv env, List<Problem> problems) {
        Map<String, NodeSpec> nodes = new LinkedHashMap<>(dag.nodes());
        overrides.forEach((id, params) -> {
            NodeSpec n = nodes.get(id);
            Map<String, Object> merged = new LinkedHashMap<>(n.params());
            merged.putAll(params);
            nodes.put(id, n.withParams(merged));
        });
        DagSpec overridden = new DagSpec(dag.name(), dag.file(), dag.deadlineMs(), dag.defaults(), nodes, dag.output(), dag.lines(), dag.source());
        List<Problem> own = DagValidator.validate(dag, registry, env); // the DAG file's own problems are its file's
        for (Problem p : DagValidator.validate(overridden, registry, env)) {
            if (!own.contains(p)) {
                problems.add(new Problem(file, routeLine, rw + p.message()));
            }
        }
    }

    /** Checks each override against its node's schema; returns the ids of the nodes with a problem. */
    private static Set<String> checkOverrides(String file, String rw, RoutingSpec.Route r, DagSpec dag, OperatorRegistry registry,
                                              List<Problem> problems) {
        Set<String> rejected = new HashSet<>();
        for (Map.Entry<String, Map<String, Object>> e : r.overrides().entrySet()) {
            String nodeId = e.getKey();
            int before = problems.size();
            checkOverride(file, rw, r, dag, registry, nodeId, e.getValue(), problems);
            if (problems.size() > before) {
                rejected.add(nodeId);
            }
        }
        return rejected;
    }

    private static void checkOverride(String file, String rw, RoutingSpec.Route r, DagSpec dag, OperatorRegistry registry,
                                      String nodeId, Map<String, Object> params, List<Problem> problems) {
        NodeSpec node = dag.nodes().get(nodeId);
        if (node == null) {
            problems.add(new Problem(file, r.lineOf(nodeId), rw + "override of unknown node '" + nodeId
                    + "' in dag '" + dag.name() + "'; nodes: " + dag.nodes().keySet()));
            return;
        }
        Optional<OperatorFactory> op = registry.find(node.op());
        if (op.isEmpty()) {
            problems.add(new Problem(file, r.lineOf(nodeId), rw + "node '" + nodeId + "' uses unknown op '" + node.op() + "'"));
            return;
        }
        for (Map.Entry<String, Object> p : params.entrySet()) {
            int line = r.lineOf(nodeId + "." + p.getKey());
            Optional<ParamSpec> ps = op.get().params().get(p.getKey());
            if (ps.isEmpty()) {
                List<String> known = op.get().params().all().stream().map(ParamSpec::name).toList();
                problems.add(new Problem(file, line, rw + "node '" + nodeId + "' (" + node.op() + ") has no param '"
                        + p.getKey() + "'; params: " + known));
                continue;
            }
            String why = ParamCheck.problem(ps.get(), p.getValue());
            if (why != null) {
                problems.add(new Problem(file, line, rw + "node '" + nodeId + "': param '" + p.getKey() + "' " + why));
            }
        }
    }
}
