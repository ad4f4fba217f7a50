package dev.funnel.operators.debug;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.exec.DagExecutor;
import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.exec.Degradation;
import dev.funnel.engine.exec.ExecutionListener;
import dev.funnel.engine.exec.NodeOutcome;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.engine.time.VirtualLoopScheduler;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DelayDebugTest {

    private static final long MS = 1_000_000L;
    private static final Candidates IN = Candidates.fromSource("s", new long[] {1, 2}, new float[2], 2);

    private final VirtualLoopScheduler loop = new VirtualLoopScheduler();

    private RequestContext ctx(long deadlineMs) {
        return RequestContext.builder().requestId("r").userId("u").scene("s").loop(loop).debug(true)
                .timing(loop.nanoTime(), loop.nanoTime() + deadlineMs * MS).build();
    }

    @Test
    void emitsItsInputAfterTheDelayOnTheLoop() {
        DelayDebug.Delay op = new DelayDebug.Delay(30 * MS, 1.0, 0);
        AtomicReference<Candidates> out = new AtomicReference<>();
        op.apply(new Inputs("d", new String[] {"up"}, new Object[] {IN}), ctx(100)).subscribe(out::set);
        loop.advanceMillis(29);
        assertNull(out.get());
        loop.advanceMillis(1);
        assertSame(IN, out.get());
    }

    @Test
    void disposingCancelsTheTimer() {
        DelayDebug.Delay op = new DelayDebug.Delay(30 * MS, 1.0, 0);
        AtomicReference<Candidates> out = new AtomicReference<>();
        Disposable d = op.apply(Inputs.none("d"), ctx(100)).subscribe(out::set);
        assertEquals(1, loop.pendingTasks());
        d.dispose();
        assertEquals(0, loop.pendingTasks());
        loop.advanceMillis(50);
        assertNull(out.get());
    }

    @Test
    void probabilityZeroNeverDelaysAndJitterStaysInRange() {
        AtomicReference<Candidates> out = new AtomicReference<>();
        new DelayDebug.Delay(30 * MS, 0.0, 0).apply(Inputs.none("d"), ctx(100)).subscribe(out::set);
        assertSame(Candidates.EMPTY, out.get(), "no input: empty list, at once");
        for (int i = 0; i < 50; i++) {
            long t0 = loop.nanoTime();
            AtomicReference<Long> at = new AtomicReference<>();
            new DelayDebug.Delay(10 * MS, 1.0, 5 * MS).apply(Inputs.none("d"), ctx(100)).subscribe(c -> at.set(loop.nanoTime()));
            loop.advanceMillis(16);
            long took = at.get() - t0;
            assertTrue(took >= 10 * MS && took <= 15 * MS, "took " + took);
        }
    }

    @Test
    void aSlowBranchUnderA60msDeadlineReturnsPartialAt60ms() throws Exception {
        OperatorRegistry reg = OperatorRegistry.discover();
        CompiledDag dag = new DagCompiler(reg, new OperatorEnv()).compile(DagLoader.parse("slow.yaml", String.join("\n",
                "dag: slow",
                "deadline_ms: 60",
                "nodes:",
                "  fast: {op: debug.delay, params: {delay_ms: 5}}",
                "  slow: {op: debug.delay, params: {delay_ms: 500}}",
                "  merge: {op: merge, after: [fast, slow]}",
                "  top: {op: rerank.truncate, after: [merge], params: {size: 1}}",
                "output: top", "")));
        DagExecutor ex = new DagExecutor(Runnable::run, ExecutionListener.NOOP);
        CompletableFuture<DagResult> f = ex.execute(dag, ctx(1_000));
        loop.advanceMillis(59);
        assertFalse(f.isDone());
        loop.advanceMillis(1);
        assertTrue(f.isDone());
        DagResult r = f.join();
        assertFalse(r.failed(), r.failure());
        assertTrue(r.partial());
        assertEquals(60 * MS, r.tookNanos());
        assertEquals(List.of("slow"), r.degraded().stream().map(Degradation::node).toList());
        assertEquals(NodeOutcome.TIMEOUT, r.degraded().get(0).cause());
        assertSame(Candidates.EMPTY, r.output(), "fast had no input: an empty list, passed on");
        assertEquals(0, loop.pendingTasks(), "the slow node's timer was cancelled with its subscription");
    }
}
