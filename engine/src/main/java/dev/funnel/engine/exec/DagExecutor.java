package dev.funnel.engine.exec;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.spi.RequestContext;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs compiled DAGs. One instance per process; thread-safe (all per-request state lives in a
 * per-request run object confined to the request's loop).
 *
 * <p>Semantics, per request: a node starts as soon as all its inputs have settled, under
 * {@code min(its deadline, the request's budget left)}; one with fewer present inputs than its {@code min_inputs} is not
 * started ({@link NodeOutcome#MISSING_INPUTS}, handled by its {@code on_error} policy). A timeout is
 * handled by {@code on_timeout}, an error signal or a throw by {@code on_error}: {@code skip} (no
 * output), {@code fallback} (an upstream node's output stands in) or {@code fail} (outstanding
 * nodes are cancelled and the request fails).
 *
 * <p>Once the request's deadline has passed, however it passed (nodes timed out at it, a result
 * arrived late, or a synchronous operator overran the budget on the loop), a node that becomes
 * ready still starts with zero budget and counts only if it finishes synchronously (merges and
 * truncations of what arrived; anything async times out at once, its {@code on_timeout}
 * deciding), so a slow branch or a CPU overrun yields a partial answer instead of none. A
 * cpu-heavy node is not started then ({@link NodeOutcome#NO_BUDGET}, handled by its
 * {@code on_timeout}): it would only queue expired work on the pool.
 *
 * <p>The request's deadline is the earlier of {@link RequestContext#deadlineNanos()} and the
 * call's start plus {@link CompiledDag#deadlineNanos()}.
 */
public final class DagExecutor {

    private static final System.Logger LOG = System.getLogger(DagExecutor.class.getName());

    final Executor cpuPool;
    final ExecutionListener listener;
    private final AtomicLong listenerFailures = new AtomicLong();
    private final AtomicLong internalErrors = new AtomicLong();

    /**
     * @param cpuPool  bounded pool for operators that declare {@code cpuHeavy()}
     * @param listener metrics sink
     */
    public DagExecutor(Executor cpuPool, ExecutionListener listener) {
        this.cpuPool = cpuPool;
        this.listener = listener == null ? ExecutionListener.NOOP : listener;
    }

    /**
     * Runs the DAG for one request. Call on {@code ctx.loop()} (from any other thread the run is
     * handed to the loop first); the future completes on the loop, never exceptionally (failures
     * are in the result).
     */
    public CompletableFuture<DagResult> execute(CompiledDag dag, RequestContext ctx) {
        if (!ctx.loop().inLoop()) {
            CompletableFuture<DagResult> f = new CompletableFuture<>();
            ctx.loop().execute(() -> {
                Run run = new Run(this, dag, ctx);
                run.start();
                run.future.whenComplete((r, t) -> f.complete(r));
            });
            return f;
        }
        Run run = new Run(this, dag, ctx);
        run.start();
        return run.future;
    }

    /** Listener callbacks that threw (counted, the first one logged); they never fail a request. */
    public long listenerFailures() {
        return listenerFailures.get(); // an atomic read (metrics): never blocks
    }

    /** Engine bugs caught at a run's entry points (each failed its request and was logged). */
    public long internalErrors() {
        return internalErrors.get(); // an atomic read (metrics): never blocks
    }

    void listenerFailed(RuntimeException e) {
        if (listenerFailures.getAndIncrement() == 0) {
            LOG.log(System.Logger.Level.ERROR, "ExecutionListener threw; further failures are only counted", e);
        }
    }

    void internalError(String dag, Throwable t) {
        internalErrors.incrementAndGet();
        LOG.log(System.Logger.Level.ERROR, "internal error running DAG " + dag + "; the request failed", t);
    }
}
