package dev.funnel.bench.engine;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.exec.DagExecutor;
import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.exec.ExecutionListener;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The executor's own cost: a 12-node DAG (one source, a fan-out of 8 branches, a join and a
 * 2-node tail) of no-op operators ({@code Mono.just} of a constant), run on an immediate loop.
 * {@code request} is ns per request, {@code perNode} the same divided by 12; {@code operatorsOnly}
 * applies and subscribes to the same 12 operators without the engine, so
 * {@code (request - operatorsOnly) / 12} is the engine's overhead per node.
 *
 * <pre>java -jar bench/target/benchmarks.jar ExecutorBench -f 1 -wi 3 -w 2s -i 5 -r 2s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgs = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ExecutorBench {

    static final int NODES = 12;

    static final String YAML = String.join("\n",
            "dag: bench12",
            "deadline_ms: 1000",
            "nodes:",
            "  src: {op: noop}",
            "  b0: {op: noop, after: [src]}",
            "  b1: {op: noop, after: [src]}",
            "  b2: {op: noop, after: [src]}",
            "  b3: {op: noop, after: [src]}",
            "  b4: {op: noop, after: [src]}",
            "  b5: {op: noop, after: [src]}",
            "  b6: {op: noop, after: [src]}",
            "  b7: {op: noop, after: [src]}",
            "  join: {op: noop, after: [b0, b1, b2, b3, b4, b5, b6, b7]}",
            "  tail: {op: noop, after: [join]}",
            "  out: {op: noop, after: [tail]}",
            "output: out",
            "");

    private static final Candidates CONSTANT = Candidates.fromSource("noop", new long[] {1, 2, 3}, new float[3], 3);

    private ImmediateLoop loop;
    private DagExecutor executor;
    private CompiledDag dag;
    private RequestContext ctx;
    private Operator<?>[] operators;
    private Inputs[] inputs;
    private Sink sink;

    @Setup
    public void setUp() throws DagException {
        loop = new ImmediateLoop();
        dag = new DagCompiler(OperatorRegistry.of(new Noop()), new OperatorEnv()).compile(DagLoader.parse("bench12.yaml", YAML));
        if (dag.size() != NODES) {
            throw new IllegalStateException("expected " + NODES + " nodes, got " + dag.size());
        }
        executor = new DagExecutor(Runnable::run, ExecutionListener.NOOP);
        long now = loop.nanoTime();
        ctx = RequestContext.builder().requestId("bench").userId("u000001").scene("home").loop(loop)
                .timing(now, Long.MAX_VALUE).build();
        operators = new Operator<?>[NODES];
        inputs = new Inputs[NODES];
        for (int i = 0; i < NODES; i++) {
            CompiledDag.Node n = dag.node(i);
            operators[i] = n.operator();
            Object[] values = new Object[n.inputs().length];
            java.util.Arrays.fill(values, CONSTANT);
            inputs[i] = new Inputs(n.id(), n.inputIds(), values);
        }
        sink = new Sink();
        DagResult r = request();
        if (r.failed() || r.output() != CONSTANT || r.partial()) {
            throw new IllegalStateException("the benchmark DAG does not run cleanly: " + r);
        }
    }

    @TearDown
    public void check() {
        if (loop.timersScheduled != 0) {
            throw new IllegalStateException("synchronous operators scheduled " + loop.timersScheduled + " timers");
        }
    }

    /** ns per request of 12 nodes. */
    @Benchmark
    public DagResult request() {
        CompletableFuture<DagResult> f = executor.execute(dag, ctx);
        return f.getNow(null);
    }

    /** ns per node (the request's time over its 12 nodes). */
    @Benchmark
    @OperationsPerInvocation(NODES)
    public DagResult perNode() {
        return executor.execute(dag, ctx).getNow(null);
    }

    /** The operators' own cost: apply and subscribe each of the 12, without the engine. */
    @Benchmark
    public Object operatorsOnly() {
        Sink s = sink;
        for (int i = 0; i < NODES; i++) {
            operators[i].apply(inputs[i], ctx).subscribe(s);
        }
        return s.value;
    }

    /** A no-op operator: {@code Mono.just} of a constant list. */
    public static final class Noop implements OperatorFactory {
        @Override public String name() { return "noop"; }
        @Override public String description() { return "Mono.just of a constant"; }
        @Override public ParamSchema params() { return ParamSchema.NONE; }
        @Override public Class<?> outputType() { return Candidates.class; }
        @Override public Operator<?> create(Params params, OperatorEnv env) {
            return (in, c) -> Mono.just(CONSTANT);
        }
    }

    /** A reusable subscriber for the baseline. */
    static final class Sink implements CoreSubscriber<Object> {
        Object value;

        @Override public void onSubscribe(Subscription s) { s.request(Long.MAX_VALUE); }
        @Override public void onNext(Object o) { value = o; }
        @Override public void onError(Throwable t) { throw new IllegalStateException(t); }
        @Override public void onComplete() { }
    }
}
