package dev.funnel.engine.explain;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.exec.DagExecutor;
import dev.funnel.engine.exec.ExecutionListener;
import dev.funnel.engine.exec.TestOps;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.time.VirtualLoopScheduler;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExplainerTest {

    @Test
    void aRequestIsReplayedWithItsExclusionsAndTheFinalListLeavesThemOut() throws Exception {
        CompiledDag dag = new DagCompiler(TestOps.registry(), new OperatorEnv()).compile(DagLoader.parse("t.yaml",
                "dag: d\ndeadline_ms: 50\nnodes:\n  a: {op: src, params: {n: 5, base: 1}}\noutput: a\n"));
        VirtualLoopScheduler loop = new VirtualLoopScheduler();
        Explainer explainer = new Explainer(new DagExecutor(Runnable::run, ExecutionListener.NOOP));

        CompletableFuture<Explanation> plain = explainer.explain(dag, new Explainer.Request("u1", "home", 3, Map.of(), 0, 0),
                loop, 20);
        loop.runPending();
        assertEquals(List.of(1L, 2L, 3L), plain.join().items().stream().map(Explanation.FinalItem::itemId).toList());

        CompletableFuture<Explanation> excluding = explainer.explain(dag,
                new Explainer.Request("u1", "home", 3, Map.of(), 0, 0, new long[] {2L}), loop, 20);
        loop.runPending();
        assertEquals(List.of(1L, 3L, 4L), excluding.join().items().stream().map(Explanation.FinalItem::itemId).toList());
    }
}
