package dev.funnel.engine.dag;

import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.Params;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated DAG ready to run: nodes in topological order with their bound operators, resolved
 * deadlines and policies, and index-based wiring. Immutable and shared by all requests.
 */
public final class CompiledDag {

    private final DagSpec spec;
    private final String version;
    private final long deadlineNanos;
    private final Node[] nodes;
    private final int outputIndex;
    private final Map<String, Integer> indexById;
    private final Map<String, Map<String, Object>> overrides;

    CompiledDag(DagSpec spec, String version, long deadlineNanos, Node[] nodes, int outputIndex,
                Map<String, Map<String, Object>> overrides) {
        this.spec = spec;
        this.version = version;
        this.deadlineNanos = deadlineNanos;
        this.nodes = nodes;
        this.outputIndex = outputIndex;
        this.overrides = overrides;
        Map<String, Integer> m = new HashMap<>();
        for (Node n : nodes) {
            m.put(n.id, n.index);
        }
        this.indexById = Map.copyOf(m);
    }

    /** The DAG's name ({@code dag:}). */
    public String name() {
        return spec.name();
    }

    /**
     * A version string: the name plus a short hash of what the DAG does (nodes, params, policies,
     * deadlines) and its overrides; the same for the same content in every process, whichever file,
     * path or admin call delivered it.
     */
    public String version() {
        return version;
    }

    /** The whole request's budget. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** The spec it came from. */
    public DagSpec spec() {
        return spec;
    }

    /** The parameter overrides it was compiled with ({@code node → param → value}); empty for none. */
    public Map<String, Map<String, Object>> overrides() {
        return overrides;
    }

    /** Number of nodes. */
    public int size() {
        return nodes.length;
    }

    /** The node at topological position {@code index} (inputs always come before their dependents). */
    public Node node(int index) {
        return nodes[index];
    }

    /** The node with this id, or null. */
    public Node node(String id) {
        Integer i = indexById.get(id);
        return i == null ? null : nodes[i];
    }

    /** Nodes in topological order. */
    public List<Node> nodes() {
        return List.of(nodes);
    }

    /** The index of the output node. */
    public int outputIndex() {
        return outputIndex;
    }

    @Override
    public String toString() {
        return "CompiledDag{" + version + ", " + nodes.length + " nodes, deadline=" + deadlineNanos / 1_000_000 + "ms}";
    }

    /**
     * One compiled node. Immutable; arrays returned by accessors are shared and must not be
     * modified (the executor reads them on every request without copying).
     */
    public static final class Node {
        final int index;
        final String id;
        final String op;
        final OperatorFactory factory;
        final Operator<?> operator;
        final Params params;
        final int[] inputs;
        final String[] inputIds;
        final int[] dependents;
        final long deadlineNanos;
        final Policy onTimeout;
        final Policy onError;
        final int timeoutFallback;
        final int errorFallback;
        final int minInputs;
        final boolean cpuHeavy;
        final double targetP95Ms;
        // sre: latency-driven width. Null unless the node has target_p95_ms, width params and a
        // WidthLevels in the environment; then widthVariants[level] is the operator to run.
        final Operator<?>[] widthVariants;
        final dev.funnel.engine.width.WidthLevels.Level widthLevel;

        Node(int index, String id, String op, OperatorFactory factory, Operator<?> operator, Params params,
             int[] inputs, String[] inputIds, int[] dependents, long deadlineNanos, Policy onTimeout,
             Policy onError, int timeoutFallback, int errorFallback, int minInputs, double targetP95Ms,
             Operator<?>[] widthVariants, dev.funnel.engine.width.WidthLevels.Level widthLevel) {
            this.index = index;
            this.id = id;
            this.op = op;
            this.factory = factory;
            this.operator = operator;
            this.params = params;
            this.inputs = inputs;
            this.inputIds = inputIds;
            this.dependents = dependents;
            this.deadlineNanos = deadlineNanos;
            this.onTimeout = onTimeout;
            this.onError = onError;
            this.timeoutFallback = timeoutFallback;
            this.errorFallback = errorFallback;
            this.minInputs = minInputs;
            this.cpuHeavy = factory.cpuHeavy();
            this.targetP95Ms = targetP95Ms;
            this.widthVariants = widthVariants;
            this.widthLevel = widthLevel;
        }

        /** Topological position. */
        public int index() { return index; }
        /** Node id. */
        public String id() { return id; }
        /** Operator name ({@code op:}). */
        public String op() { return op; }
        /** The factory that made {@link #operator()}. */
        public OperatorFactory factory() { return factory; }
        /**
         * The operator to run now, shared by all requests: the bound one, or for a width-controlled
         * node the variant of its current width level (one volatile read).
         */
        public Operator<?> operator() {
            return widthLevel == null ? operator : widthVariants[widthLevel.index()];
        }
        /** The width level of a node with {@code target_p95_ms}, or null when its width is fixed. */
        public dev.funnel.engine.width.WidthLevels.Level widthLevel() { return widthLevel; }
        /** Validated params, defaults filled in. */
        public Params params() { return params; }
        /** Indexes of its {@code after:} nodes, in YAML order; do not modify. */
        public int[] inputs() { return inputs; }
        /** Ids of its {@code after:} nodes, in YAML order; do not modify. */
        public String[] inputIds() { return inputIds; }
        /** Indexes of the nodes that list it in {@code after:}; do not modify. */
        public int[] dependents() { return dependents; }
        /** Its own deadline (the request's budget may cut it shorter). */
        public long deadlineNanos() { return deadlineNanos; }
        /** Resolved timeout policy. */
        public Policy onTimeout() { return onTimeout; }
        /** Resolved error policy. */
        public Policy onError() { return onError; }
        /** Index of the timeout fallback node, or -1. */
        public int timeoutFallback() { return timeoutFallback; }
        /** Index of the error fallback node, or -1. */
        public int errorFallback() { return errorFallback; }
        /** Inputs that must be present for it to run (resolved; never -1). */
        public int minInputs() { return minInputs; }
        /** Whether its operator runs on the worker pool. */
        public boolean cpuHeavy() { return cpuHeavy; }
        /** Latency target for width adaptation in ms, or NaN for none. */
        public double targetP95Ms() { return targetP95Ms; }

        @Override
        public String toString() {
            return "Node{" + index + ":" + id + " op=" + op + " after=" + Arrays.toString(inputIds)
                    + " deadline=" + deadlineNanos / 1_000 + "us timeout=" + onTimeout + " error=" + onError
                    + " min_inputs=" + minInputs + '}';
        }
    }
}
