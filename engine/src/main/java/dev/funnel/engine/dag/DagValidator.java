package dev.funnel.engine.dag;

import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamProblems;
import dev.funnel.engine.spi.Params;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static validation of a {@link DagSpec} against the operators' declared schemas. Reports every
 * problem, not the first: unknown op, unknown or ill-typed or out-of-range param, duplicate or
 * dangling ids, cycles, unreachable nodes, missing output, a node deadline above the DAG's, a
 * fallback that is not upstream, input types an operator needs but no upstream provides, and what
 * each operator's own {@link OperatorFactory#check} rejects in its params given the node's inputs
 * and upstream nodes (the same message the compiler gives: "op 'x' rejected its params: …", at the
 * node's line or, for a {@link ParamProblems}, at each rejected key's line); checks against
 * services run only as far as the given {@link OperatorEnv} holds them.
 *
 * <p>Checks that depend on an earlier finding are skipped where it makes them meaningless, not to
 * stop early but to avoid echoes: a node with an unknown op has no params or input types to check,
 * and whether a fallback is upstream is only asked of an acyclic graph. A spec the loader could
 * only partly parse ({@link DagLoader#read}) is validated too, so a file's shape errors and these
 * problems are reported together.
 */
public final class DagValidator {

    private DagValidator() {
    }

    /**
     * Every problem with the spec that can be found without services, in line order; empty when
     * valid so far (what {@code funnel validate} checks: the server also checks against its services).
     */
    public static List<Problem> validate(DagSpec spec, OperatorRegistry registry) {
        return validate(spec, registry, new OperatorEnv());
    }

    /** Every problem with the spec, operators' checks against the services in {@code env} included; in line order. */
    public static List<Problem> validate(DagSpec spec, OperatorRegistry registry, OperatorEnv env) {
        return analyze(spec, registry, env).problems;
    }

    /** Validates and keeps what compilation needs: factories, typed params, a topological order. */
    static Analysis analyze(DagSpec spec, OperatorRegistry registry, OperatorEnv env) {
        return new Check(spec, registry, env).run();
    }

    /** The validator's findings. */
    static final class Analysis {
        final List<Problem> problems;
        final Map<String, OperatorFactory> factories;
        final Map<String, Params> params;
        /** Node ids in topological order (file order among independent nodes); complete only when acyclic. */
        final List<String> order;

        Analysis(List<Problem> problems, Map<String, OperatorFactory> factories, Map<String, Params> params, List<String> order) {
            this.problems = problems;
            this.factories = factories;
            this.params = params;
            this.order = order;
        }
    }

    /** One validation pass. */
    private static final class Check {
        private final DagSpec spec;
        private final OperatorRegistry registry;
        private final OperatorEnv env;
        private final String file;
        private final List<Problem> problems = new ArrayList<>();
        private final Map<String, OperatorFactory> factories = new HashMap<>();
        private final Map<String, Params> params = new HashMap<>();

        Check(DagSpec spec, OperatorRegistry registry, OperatorEnv env) {
            this.spec = spec;
            this.registry = registry;
            this.env = env;
            this.file = spec.file() == null ? "<dag>" : spec.file();
        }

        Analysis run() {
            Map<String, NodeSpec> nodes = spec.nodes();
            checkTop(nodes);
            List<String> opNames = new ArrayList<>();
            for (OperatorFactory f : registry.all()) {
                opNames.add(f.name());
            }
            for (NodeSpec n : nodes.values()) {
                checkNode(n, nodes, opNames);
            }
            List<String> order = topologicalOrder(nodes);
            if (order.size() == nodes.size()) {
                checkUpstream(nodes);
            }
            checkContributes(nodes);
            problems.sort(Comparator.comparingInt(Problem::line));
            return new Analysis(List.copyOf(problems), factories, params, order);
        }

        private void checkTop(Map<String, NodeSpec> nodes) {
            if (spec.name() == null || spec.name().isBlank()) {
                problems.add(new Problem(file, spec.lineOf("dag"), "'dag' must name the DAG"));
            }
            if (spec.deadlineMs() < 1) {
                problems.add(new Problem(file, spec.lineOf("deadline_ms"), "deadline_ms must be >= 1, got " + spec.deadlineMs()));
            }
            DagSpec.Defaults d = spec.defaults();
            if (d != null) {
                int line = spec.lineOf("defaults");
                if (d.deadlineMs() != null && d.deadlineMs() < 1) {
                    problems.add(new Problem(file, line, "defaults: deadline_ms must be >= 1, got " + d.deadlineMs()));
                } else if (d.deadlineMs() != null && d.deadlineMs() > spec.deadlineMs()) {
                    problems.add(new Problem(file, line, "defaults: deadline_ms " + d.deadlineMs()
                            + " exceeds the DAG's deadline_ms " + spec.deadlineMs()));
                }
                if (d.onTimeout() != null && d.onTimeout().kind() == Policy.Kind.FALLBACK) {
                    problems.add(new Problem(file, line, "defaults: on_timeout cannot be a fallback (it would apply to every node); set it per node"));
                }
                if (d.onError() != null && d.onError().kind() == Policy.Kind.FALLBACK) {
                    problems.add(new Problem(file, line, "defaults: on_error cannot be a fallback (it would apply to every node); set it per node"));
                }
            }
            if (nodes.isEmpty()) {
                problems.add(new Problem(file, spec.lineOf("nodes"), "'nodes' is empty"));
            }
            if (spec.output() == null) {
                problems.add(new Problem(file, 1, "missing 'output: <node>'"));
            } else if (!nodes.containsKey(spec.output())) {
                problems.add(new Problem(file, spec.lineOf("output"), "output '" + spec.output() + "' is not a node" + suggest(spec.output(), nodes.keySet())));
            }
        }

        private void checkNode(NodeSpec n, Map<String, NodeSpec> nodes, List<String> opNames) {
            String where = "node '" + n.id() + "'";
            OperatorFactory f = null;
            if (n.op() == null) {
                problems.add(new Problem(file, n.line(), where + ": missing 'op'"));
            } else {
                f = registry.find(n.op()).orElse(null);
                if (f == null) {
                    problems.add(new Problem(file, n.lineOfKey("op"), where + ": unknown op '" + n.op() + "'" + suggest(n.op(), opNames)));
                } else {
                    factories.put(n.id(), f);
                    Params p = ParamChecker.check(file, n, f.params(), problems);
                    if (p != null) {
                        params.put(n.id(), p);
                        checkSubstance(n, f, p, nodes);
                        checkWidth(n, f, p);
                    }
                }
            }
            Set<String> seen = new HashSet<>();
            for (String up : n.after()) {
                if (up.equals(n.id())) {
                    problems.add(new Problem(file, n.lineOfKey("after"), where + ": lists itself in 'after' (cycle: " + up + " -> " + up + ")"));
                } else if (!nodes.containsKey(up)) {
                    problems.add(new Problem(file, n.lineOfKey("after"), where + ": 'after' names unknown node '" + up + "'" + suggest(up, nodes.keySet())));
                } else if (!seen.add(up)) {
                    problems.add(new Problem(file, n.lineOfKey("after"), where + ": 'after' lists '" + up + "' twice"));
                }
            }
            if (n.deadlineMs() != null) {
                int line = n.lineOfKey("deadline_ms");
                if (n.deadlineMs() < 1) {
                    problems.add(new Problem(file, line, where + ": deadline_ms must be >= 1, got " + n.deadlineMs()));
                } else if (n.deadlineMs() > spec.deadlineMs()) {
                    problems.add(new Problem(file, line, where + ": deadline_ms " + n.deadlineMs() + " exceeds the DAG's deadline_ms " + spec.deadlineMs()));
                }
            }
            checkFallbackTarget(n, "on_timeout", n.onTimeout(), nodes);
            checkFallbackTarget(n, "on_error", n.onError(), nodes);
            if (n.minInputs() != null && (n.minInputs() < 0 || n.minInputs() > n.after().size())) {
                problems.add(new Problem(file, n.lineOfKey("min_inputs"), where + ": min_inputs must be between 0 and "
                        + n.after().size() + " (the number of 'after' nodes), got " + n.minInputs()));
            }
            if (n.targetP95Ms() != null && !(n.targetP95Ms() > 0)) {
                problems.add(new Problem(file, n.lineOfKey("target_p95_ms"), where + ": target_p95_ms must be > 0, got " + n.targetP95Ms()));
            }
            if (f != null) {
                checkInputTypes(n, f, nodes);
            }
        }

        /**
         * The operator's own check of params that are valid by schema (reported as the compiler
         * reports create's), with the node's inputs and everything upstream of them, so a param
         * keyed by node ids can be checked against the graph; a {@link ParamProblems} is reported
         * entry by entry at its key's line.
         */
        private void checkSubstance(NodeSpec n, OperatorFactory f, Params p, Map<String, NodeSpec> nodes) {
            String rejected = "node '" + n.id() + "': op '" + n.op() + "' rejected its params: ";
            try {
                f.check(p, n.after(), java.util.Collections.unmodifiableSet(ancestors(n.id(), nodes)), env);
            } catch (ParamProblems e) {
                for (ParamProblems.Entry entry : e.entries()) {
                    int line = entry.key() == null ? n.lineOf(entry.param()) : n.lineOf(entry.param(), entry.key());
                    problems.add(new Problem(file, line, rejected + entry.message()));
                }
            } catch (RuntimeException e) {
                // Reported as a problem with the factory's message, not swallowed.
                problems.add(new Problem(file, n.line(), rejected + e.getMessage()));
            }
        }

        /** {@code target_p95_ms} on a node with nothing to narrow would be accepted and never act. */
        private void checkWidth(NodeSpec n, OperatorFactory f, Params p) {
            if (n.targetP95Ms() != null && dev.funnel.engine.width.WidthLevels.widthParams(f, p).isEmpty()) {
                problems.add(new Problem(file, n.lineOfKey("target_p95_ms"), "node '" + n.id() + "': target_p95_ms "
                        + n.targetP95Ms() + " has no effect: op '" + n.op() + "' has no width param to narrow ("
                        + String.join(", ", dev.funnel.engine.width.WidthLevels.WIDTH_PARAMS) + ")"));
            }
        }

        private void checkFallbackTarget(NodeSpec n, String key, Policy p, Map<String, NodeSpec> nodes) {
            if (p != null && p.kind() == Policy.Kind.FALLBACK && !nodes.containsKey(p.fallbackNode())) {
                problems.add(new Problem(file, n.lineOfKey(key), "node '" + n.id() + "': " + key + " falls back to unknown node '"
                        + p.fallbackNode() + "'" + suggest(p.fallbackNode(), nodes.keySet())));
            }
        }

        private void checkInputTypes(NodeSpec n, OperatorFactory f, Map<String, NodeSpec> nodes) {
            for (Class<?> need : f.requiredInputTypes()) {
                boolean provided = false;
                boolean unknown = false;
                for (String up : n.after()) {
                    NodeSpec u = nodes.get(up);
                    OperatorFactory uf = u == null || u.op() == null ? null : registry.find(u.op()).orElse(null);
                    if (uf == null) {
                        unknown = true;
                    } else if (need.isAssignableFrom(uf.outputType())) {
                        provided = true;
                    }
                }
                if (!provided && !unknown) {
                    problems.add(new Problem(file, n.after().isEmpty() ? n.line() : n.lineOfKey("after"), "node '" + n.id() + "': op '" + n.op()
                            + "' needs an input of type " + need.getSimpleName() + ", but none of its 'after' nodes "
                            + n.after() + " produces one"));
                }
            }
        }

        /** Kahn's algorithm, file order among ready nodes; reports cycles among what is left. */
        private List<String> topologicalOrder(Map<String, NodeSpec> nodes) {
            Map<String, Integer> indegree = new LinkedHashMap<>();
            Map<String, List<String>> down = new HashMap<>();
            for (NodeSpec n : nodes.values()) {
                int d = 0;
                for (String up : new LinkedHashSet<>(n.after())) {
                    if (nodes.containsKey(up) && !up.equals(n.id())) {
                        d++;
                        down.computeIfAbsent(up, k -> new ArrayList<>()).add(n.id());
                    }
                }
                indegree.put(n.id(), d);
            }
            List<String> order = new ArrayList<>();
            List<String> ids = new ArrayList<>(nodes.keySet());
            boolean progress = true;
            Set<String> done = new HashSet<>();
            // O(n^2) over a few dozen nodes keeps file order among independent nodes simply.
            while (progress) {
                progress = false;
                for (String id : ids) {
                    if (!done.contains(id) && indegree.get(id) == 0) {
                        done.add(id);
                        order.add(id);
                        for (String d : down.getOrDefault(id, List.of())) {
                            indegree.merge(d, -1, Integer::sum);
                        }
                        progress = true;
                        break;
                    }
                }
            }
            if (order.size() < nodes.size()) {
                reportCycles(nodes, done);
            }
            return order;
        }

        private void reportCycles(Map<String, NodeSpec> nodes, Set<String> acyclic) {
            Set<String> reported = new HashSet<>();
            Map<String, Integer> fileIndex = new HashMap<>();
            int i = 0;
            for (String id : nodes.keySet()) {
                fileIndex.put(id, i++);
            }
            for (String start : nodes.keySet()) {
                if (acyclic.contains(start) || reported.contains(start)) {
                    continue;
                }
                List<String> cycle = findCycle(start, nodes, acyclic);
                if (cycle == null) {
                    continue;
                }
                boolean fresh = true;
                for (String c : cycle) {
                    fresh &= !reported.contains(c);
                }
                reported.addAll(cycle);
                if (!fresh) {
                    continue;
                }
                int first = 0;
                for (int k = 1; k < cycle.size(); k++) {
                    if (fileIndex.get(cycle.get(k)) < fileIndex.get(cycle.get(first))) {
                        first = k;
                    }
                }
                List<String> rotated = new ArrayList<>(cycle.subList(first, cycle.size()));
                rotated.addAll(cycle.subList(0, first));
                // Written in data-flow order: a -> b means b runs after a.
                List<String> flow = new ArrayList<>(rotated);
                java.util.Collections.reverse(flow);
                int k = flow.indexOf(rotated.get(0));
                List<String> named = new ArrayList<>(flow.subList(k, flow.size()));
                named.addAll(flow.subList(0, k));
                named.add(named.get(0));
                problems.add(new Problem(file, nodes.get(named.get(0)).line(), "cycle: " + String.join(" -> ", named)));
            }
        }

        /** A cycle reachable from {@code start} following 'after' edges, as the list of nodes on it. */
        private List<String> findCycle(String start, Map<String, NodeSpec> nodes, Set<String> acyclic) {
            Deque<String> path = new ArrayDeque<>();
            Set<String> onPath = new HashSet<>();
            Set<String> visited = new HashSet<>();
            return dfs(start, nodes, acyclic, path, onPath, visited);
        }

        private List<String> dfs(String id, Map<String, NodeSpec> nodes, Set<String> acyclic, Deque<String> path,
                                 Set<String> onPath, Set<String> visited) {
            path.addLast(id);
            onPath.add(id);
            visited.add(id);
            for (String up : nodes.get(id).after()) {
                if (!nodes.containsKey(up) || acyclic.contains(up) || up.equals(id)) {
                    continue;
                }
                if (onPath.contains(up)) {
                    List<String> p = new ArrayList<>(path);
                    return new ArrayList<>(p.subList(p.indexOf(up), p.size()));
                }
                if (!visited.contains(up)) {
                    List<String> c = dfs(up, nodes, acyclic, path, onPath, visited);
                    if (c != null) {
                        return c;
                    }
                }
            }
            path.removeLast();
            onPath.remove(id);
            return null;
        }

        private void checkUpstream(Map<String, NodeSpec> nodes) {
            for (NodeSpec n : nodes.values()) {
                checkFallbackUpstream(n, "on_timeout", n.onTimeout(), nodes);
                checkFallbackUpstream(n, "on_error", n.onError(), nodes);
            }
        }

        private void checkFallbackUpstream(NodeSpec n, String key, Policy p, Map<String, NodeSpec> nodes) {
            if (p == null || p.kind() != Policy.Kind.FALLBACK || !nodes.containsKey(p.fallbackNode())) {
                return;
            }
            if (!ancestors(n.id(), nodes).contains(p.fallbackNode())) {
                problems.add(new Problem(file, n.lineOfKey(key), "node '" + n.id() + "': " + key + " falls back to '" + p.fallbackNode()
                        + "', which is not upstream of it (its output would not be ready)"));
            }
        }

        /** Every node that {@code id} transitively depends on. */
        private static Set<String> ancestors(String id, Map<String, NodeSpec> nodes) {
            Set<String> seen = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(nodes.get(id).after());
            while (!todo.isEmpty()) {
                String u = todo.pop();
                if (nodes.containsKey(u) && seen.add(u)) {
                    todo.addAll(nodes.get(u).after());
                }
            }
            return seen;
        }

        private void checkContributes(Map<String, NodeSpec> nodes) {
            String out = spec.output();
            if (out == null || !nodes.containsKey(out)) {
                return;
            }
            Set<String> contributing = ancestors(out, nodes);
            contributing.add(out);
            for (NodeSpec n : nodes.values()) {
                if (!contributing.contains(n.id())) {
                    problems.add(new Problem(file, n.line(), "node '" + n.id() + "' does not contribute to output '" + out
                            + "': no path leads from it to the output"));
                }
            }
        }

        private static String suggest(String name, java.util.Collection<String> known) {
            String near = Names.closest(name, known);
            return near == null ? "" : "; did you mean '" + near + "'?";
        }
    }
}
