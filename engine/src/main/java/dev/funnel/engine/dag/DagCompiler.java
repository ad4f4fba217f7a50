package dev.funnel.engine.dag;

import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Validates and compiles specs: checks with the {@link DagValidator}, applies parameter overrides,
 * fills defaults, creates each node's operator once and links nodes by index in topological order.
 * Off the request path; thread-safe.
 */
public final class DagCompiler {

    private final OperatorRegistry registry;
    private final OperatorEnv env;

    /**
     * @param registry the operators known to this process
     * @param env      the services factories may look up in {@code create}
     */
    public DagCompiler(OperatorRegistry registry, OperatorEnv env) {
        this.registry = registry;
        this.env = env;
    }

    /** Validates and compiles; throws with every problem when invalid. */
    public CompiledDag compile(DagSpec spec) throws DagException {
        return compile(spec, Map.of());
    }

    /**
     * Validates and compiles with per-node parameter overrides ({@code node → param → value}), as a
     * route's experiment bucket or a replay asks; overrides are validated like the file's params.
     */
    public CompiledDag compile(DagSpec spec, Map<String, Map<String, Object>> overrides) throws DagException {
        String file = spec.file() == null ? "<dag>" : spec.file();
        List<Problem> problems = new ArrayList<>();
        DagSpec effective = applyOverrides(spec, overrides, file, problems);
        DagValidator.Analysis a = DagValidator.analyze(effective, registry, env);
        problems.addAll(a.problems);
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparingInt(Problem::line));
            throw new DagException(problems);
        }
        Map<String, NodeSpec> specs = effective.nodes();
        Map<String, Operator<?>> operators = new HashMap<>();
        for (NodeSpec n : specs.values()) {
            OperatorFactory f = a.factories.get(n.id());
            try {
                Operator<?> op = f.create(a.params.get(n.id()), env);
                if (op == null) {
                    problems.add(new Problem(file, n.line(), "node '" + n.id() + "': op '" + n.op() + "' created no operator (null)"));
                }
                operators.put(n.id(), op);
            } catch (RuntimeException e) {
                // Reported as a problem (the factory's message says what is wrong), not swallowed.
                problems.add(new Problem(file, n.line(), "node '" + n.id() + "': op '" + n.op() + "' rejected its params: " + e.getMessage()));
            }
        }
        // sre: latency-driven width — one operator per width level for nodes with target_p95_ms.
        Map<String, Operator<?>[]> variants = new HashMap<>();
        dev.funnel.engine.width.WidthLevels widths = env.find(dev.funnel.engine.width.WidthLevels.class).orElse(null);
        for (NodeSpec n : specs.values()) {
            if (widths != null && n.targetP95Ms() != null && operators.get(n.id()) != null) {
                try {
                    Operator<?>[] v = dev.funnel.engine.width.WidthLevels.variants(a.factories.get(n.id()),
                            a.params.get(n.id()), operators.get(n.id()), env);
                    if (v != null) {
                        variants.put(n.id(), v);
                    }
                } catch (RuntimeException e) {
                    problems.add(new Problem(file, n.line(), "node '" + n.id() + "': op '" + n.op()
                            + "' rejected a narrowed width for target_p95_ms: " + e.getMessage()));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new DagException(problems);
        }
        return link(effective, a, operators, overrides, variants, widths);
    }

    private static DagSpec applyOverrides(DagSpec spec, Map<String, Map<String, Object>> overrides, String file, List<Problem> problems) {
        if (overrides == null || overrides.isEmpty()) {
            return spec;
        }
        Map<String, NodeSpec> nodes = new LinkedHashMap<>(spec.nodes());
        for (Map.Entry<String, Map<String, Object>> e : new TreeMap<>(overrides).entrySet()) {
            NodeSpec n = nodes.get(e.getKey());
            if (n == null) {
                String near = Names.closest(e.getKey(), nodes.keySet());
                problems.add(new Problem(file, 0, "override for unknown node '" + e.getKey() + "'"
                        + (near == null ? "" : "; did you mean '" + near + "'?")));
                continue;
            }
            Map<String, Object> merged = new LinkedHashMap<>(n.params());
            merged.putAll(e.getValue());
            nodes.put(n.id(), n.withParams(merged));
        }
        return new DagSpec(spec.name(), spec.file(), spec.deadlineMs(), spec.defaults(), nodes, spec.output(), spec.lines(), spec.source());
    }

    private static CompiledDag link(DagSpec spec, DagValidator.Analysis a, Map<String, Operator<?>> operators,
                                    Map<String, Map<String, Object>> overrides, Map<String, Operator<?>[]> variants,
                                    dev.funnel.engine.width.WidthLevels widths) {
        List<String> order = a.order;
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            index.put(order.get(i), i);
        }
        long dagDeadlineNanos = TimeUnit.MILLISECONDS.toNanos(spec.deadlineMs());
        DagSpec.Defaults d = spec.defaults() == null ? DagSpec.Defaults.NONE : spec.defaults();
        List<List<Integer>> dependents = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            dependents.add(new ArrayList<>());
        }
        for (String id : order) {
            for (String up : spec.nodes().get(id).after()) {
                dependents.get(index.get(up)).add(index.get(id));
            }
        }
        CompiledDag.Node[] nodes = new CompiledDag.Node[order.size()];
        for (int i = 0; i < order.size(); i++) {
            NodeSpec n = spec.nodes().get(order.get(i));
            OperatorFactory f = a.factories.get(n.id());
            int[] inputs = new int[n.after().size()];
            for (int k = 0; k < inputs.length; k++) {
                inputs[k] = index.get(n.after().get(k));
            }
            int[] deps = dependents.get(i).stream().mapToInt(Integer::intValue).toArray();
            Integer nodeMs = n.deadlineMs() != null ? n.deadlineMs() : d.deadlineMs();
            long deadlineNanos = nodeMs == null ? dagDeadlineNanos : TimeUnit.MILLISECONDS.toNanos(nodeMs);
            Policy onTimeout = n.onTimeout() != null ? n.onTimeout() : d.onTimeout() != null ? d.onTimeout() : Policy.SKIP;
            Policy onError = n.onError() != null ? n.onError() : d.onError() != null ? d.onError() : Policy.FAIL;
            int minInputs = n.minInputs() != null ? n.minInputs() : f.defaultMinInputs();
            if (minInputs < 0 || minInputs > inputs.length) {
                minInputs = inputs.length;
            }
            nodes[i] = new CompiledDag.Node(i, n.id(), n.op(), f, operators.get(n.id()), a.params.get(n.id()), inputs,
                    n.after().toArray(new String[0]), deps, deadlineNanos, onTimeout, onError,
                    fallbackIndex(onTimeout, index), fallbackIndex(onError, index), minInputs,
                    n.targetP95Ms() == null ? Double.NaN : n.targetP95Ms(),
                    variants.get(n.id()),
                    variants.containsKey(n.id()) ? widths.level(spec.name(), n.id(), n.targetP95Ms()) : null);
        }
        Map<String, Map<String, Object>> ov = overrides == null ? Map.of() : Map.copyOf(overrides);
        return new CompiledDag(spec, DagVersion.of(spec, ov), dagDeadlineNanos, nodes, index.get(spec.output()), ov);
    }

    private static int fallbackIndex(Policy p, Map<String, Integer> index) {
        return p.kind() == Policy.Kind.FALLBACK ? index.get(p.fallbackNode()) : -1;
    }

    /** The operators this compiler knows. */
    public OperatorRegistry registry() {
        return registry;
    }

    /** The services its operators are created with (and checked against). */
    public OperatorEnv env() {
        return env;
    }
}
