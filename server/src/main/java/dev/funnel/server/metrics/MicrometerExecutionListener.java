package dev.funnel.server.metrics;

import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.exec.ExecutionListener;
import dev.funnel.engine.exec.NodeOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The engine's bookkeeping as Micrometer meters:
 * <ul>
 *   <li>{@code funnel_node_latency_seconds{dag,node,op}}: histogram of node run time;</li>
 *   <li>{@code funnel_node_outcomes_total{dag,node,cause}}: ok, timeout, error, no_budget, missing_inputs, cancelled;</li>
 *   <li>{@code funnel_node_output_size{dag,node}}: candidates out;</li>
 *   <li>{@code funnel_node_cpu_seconds_total{dag,node,op}}: worker CPU time of cpu-heavy nodes (what a node costs,
 *       where its latency also holds its wait for a core; divided by the DAG's runs, the CPU one request spends
 *       in it);</li>
 *   <li>{@code funnel_dag_runs_total{dag,result}}: ok, partial, failed; {@code funnel_dag_latency_seconds{dag}}.</li>
 * </ul>
 * Called on event loops ({@link #onNodeCpu} on worker threads); meters are looked up in two-level
 * maps keyed by the engine's own strings, so the steady state allocates nothing.
 */
public final class MicrometerExecutionListener implements ExecutionListener {

    private static final NodeOutcome[] OUTCOMES = NodeOutcome.values();

    private final MeterRegistry registry;
    private final ConcurrentMap<String, ConcurrentMap<String, NodeMeters>> nodes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, DagMeters> dags = new ConcurrentHashMap<>();

    public MicrometerExecutionListener(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onNode(String dag, String node, String op, NodeOutcome outcome, long tookNanos, int outputSize) {
        NodeMeters m = meters(dag, node, op);
        m.outcomes[outcome.ordinal()].increment();
        if (outcome == NodeOutcome.OK || outcome == NodeOutcome.TIMEOUT || outcome == NodeOutcome.ERROR) {
            m.latency.record(tookNanos, TimeUnit.NANOSECONDS);
        }
        if (outputSize >= 0) {
            m.outputSize.record(outputSize);
        }
    }

    @Override
    public void onNodeCpu(String dag, String node, String op, long cpuNanos) {
        meters(dag, node, op).cpu().increment(cpuNanos / 1e9);
    }

    private NodeMeters meters(String dag, String node, String op) {
        ConcurrentMap<String, NodeMeters> byNode = nodes.get(dag);
        if (byNode == null) {
            byNode = nodes.computeIfAbsent(dag, d -> new ConcurrentHashMap<>());
        }
        NodeMeters m = byNode.get(node);
        return m != null ? m : byNode.computeIfAbsent(node, n -> new NodeMeters(registry, dag, n, op));
    }

    @Override
    public void onRequest(String dag, DagResult result) {
        DagMeters m = dags.computeIfAbsent(dag, d -> new DagMeters(registry, d));
        (result.failed() ? m.failed : result.partial() ? m.partial : m.ok).increment();
        m.latency.record(result.tookNanos(), TimeUnit.NANOSECONDS);
    }

    private static final class NodeMeters {
        final Timer latency;
        final DistributionSummary outputSize;
        final Counter[] outcomes = new Counter[OUTCOMES.length];

        private final MeterRegistry registry;
        private final String dag;
        private final String node;
        private final String op;
        /** Registered on a node's first report: light nodes (run on the event loops) have no series. */
        private volatile Counter cpu;

        NodeMeters(MeterRegistry r, String dag, String node, String op) {
            this.registry = r;
            this.dag = dag;
            this.node = node;
            this.op = op;
            latency = Timer.builder("funnel.node.latency").description("node run time")
                    .tags("dag", dag, "node", node, "op", op).serviceLevelObjectives(Slos.LATENCY).register(r);
            outputSize = DistributionSummary.builder("funnel.node.output.size").description("candidates a node produced")
                    .tags("dag", dag, "node", node).serviceLevelObjectives(Slos.SIZES).register(r);
            for (NodeOutcome o : OUTCOMES) {
                outcomes[o.ordinal()] = Counter.builder("funnel.node.outcomes").description("node outcomes by cause")
                        .tags("dag", dag, "node", node, "cause", o.name().toLowerCase(Locale.ROOT)).register(r);
            }
        }

        /**
         * On the worker threads (never an event loop): the first report registers the counter, which
         * takes the registry's lock once; a race registers once (both callers get the same counter).
         */
        Counter cpu() {
            Counter c = cpu;
            if (c == null) {
                c = Counter.builder("funnel.node.cpu").baseUnit("seconds")
                        .description("worker CPU time of a cpu-heavy node's apply (not work it hands on, such as inference)")
                        .tags("dag", dag, "node", node, "op", op).register(registry);
                cpu = c;
            }
            return c;
        }
    }

    private static final class DagMeters {
        final Counter ok;
        final Counter partial;
        final Counter failed;
        final Timer latency;

        DagMeters(MeterRegistry r, String dag) {
            ok = runs(r, dag, "ok");
            partial = runs(r, dag, "partial");
            failed = runs(r, dag, "failed");
            latency = Timer.builder("funnel.dag.latency").description("DAG run time, start to result")
                    .tags("dag", dag).serviceLevelObjectives(Slos.LATENCY).register(r);
        }

        private static Counter runs(MeterRegistry r, String dag, String result) {
            return Counter.builder("funnel.dag.runs")
                    .description("DAG runs by result: ok, partial (answered, but some nodes timed out, failed or fell"
                            + " back), failed (answered 5xx: a fail-policy node failed, or the output was missing)")
                    .tags("dag", dag, "result", result).register(r);
        }
    }
}
