package dev.funnel.bench.sre;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.exec.NodeOutcome;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.width.NodeLatencies;
import dev.funnel.engine.width.WidthController;
import dev.funnel.engine.width.WidthLevels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import reactor.core.publisher.Mono;

import java.util.concurrent.TimeUnit;

/**
 * What the SRE listeners add per node run: {@link NodeLatencies#onNode} (console windows) and
 * {@link WidthController#onNode} (width windows) — each two map gets and two atomic increments —
 * alone and with two threads recording into the same node (two event loops); and the cost of
 * {@link CompiledDag.Node#operator()} for a width-controlled node (one volatile read) next to a
 * fixed one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SreHotPathBench {

    private NodeLatencies latencies;
    private WidthController width;
    private CompiledDag.Node fixedNode;
    private CompiledDag.Node widthNode;

    record Recall(String name) implements OperatorFactory {
        @Override
        public String description() {
            return "bench recall";
        }

        @Override
        public ParamSchema params() {
            return ParamSchema.of(ParamSpec.optionalInt("limit", 100, 1, 10_000, "how many"));
        }

        @Override
        public Class<?> outputType() {
            return Candidates.class;
        }

        @Override
        public Operator<?> create(Params p, OperatorEnv env) {
            return (inputs, ctx) -> Mono.just(Candidates.EMPTY);
        }
    }

    @Setup
    public void setup() throws Exception {
        latencies = new NodeLatencies();
        WidthLevels levels = new WidthLevels();
        width = new WidthController(levels);
        OperatorEnv env = new OperatorEnv().register(WidthLevels.class, levels);
        CompiledDag dag = new DagCompiler(OperatorRegistry.of(new Recall("recall.bench")), env).compile(DagLoader.parse("b.yaml", """
                dag: bench
                deadline_ms: 50
                nodes:
                  fixed: {op: recall.bench, params: {limit: 500}}
                  wide:  {op: recall.bench, after: [fixed], params: {limit: 500}, target_p95_ms: 5}
                output: wide
                """));
        fixedNode = dag.node("fixed");
        widthNode = dag.node("wide");
        latencies.onNode("bench", "wide", "recall.bench", NodeOutcome.OK, 1_000, 100);
        latencies.onNode("bench", "fixed", "recall.bench", NodeOutcome.OK, 1_000, 100);
        width.onNode("bench", "wide", "recall.bench", NodeOutcome.OK, 1_000, 100);
    }

    @Benchmark
    public void nodeLatenciesOnNode() {
        latencies.onNode("bench", "wide", "recall.bench", NodeOutcome.OK, 12_345, 100);
    }

    @Benchmark
    public void bothListenersOnNode() {
        latencies.onNode("bench", "wide", "recall.bench", NodeOutcome.OK, 12_345, 100);
        width.onNode("bench", "wide", "recall.bench", NodeOutcome.OK, 12_345, 100);
    }

    @Benchmark
    public void bothListenersOnUncontrolledNode() {
        latencies.onNode("bench", "fixed", "recall.bench", NodeOutcome.OK, 12_345, 100);
        width.onNode("bench", "fixed", "recall.bench", NodeOutcome.OK, 12_345, 100);
    }

    @Benchmark
    @Threads(2)
    public void bothListenersOnNodeTwoThreads() {
        latencies.onNode("bench", "wide", "recall.bench", NodeOutcome.OK, 12_345, 100);
        width.onNode("bench", "wide", "recall.bench", NodeOutcome.OK, 12_345, 100);
    }

    @Benchmark
    public Operator<?> operatorFixed() {
        return fixedNode.operator();
    }

    @Benchmark
    public Operator<?> operatorWidthControlled() {
        return widthNode.operator();
    }
}
