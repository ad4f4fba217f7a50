package dev.funnel.engine.exec;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.spi.RequestContext;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs compiled DAGs. One instance per process; thread-safe (all per-request state lives in a
 * per-request run object confined to the request's loop).
 */
public final class DagExecutor {

    private final Executor cpuPool;
    private final ExecutionListener listener;

    /**
     * @param cpuPool  bounded pool for operators that declare {@code cpuHeavy()}
     * @param listener metrics sink
     */
    public DagExecutor(Executor cpuPool, ExecutionListener listener) {
        this.cpuPool = cpuPool;
        this.listener = listener;
    }

    /**
     * Runs the DAG for one request. Call on {@code ctx.loop()}; the future completes on it, never
     * exceptionally (failures are in the result).
     */
    public CompletableFuture<DagResult> execute(CompiledDag dag, RequestContext ctx) {
        throw new UnsupportedOperationException("TODO(engine): DagExecutor.execute");
    }
}
