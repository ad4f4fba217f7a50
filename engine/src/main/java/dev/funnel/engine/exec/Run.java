package dev.funnel.engine.exec;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.Policy;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.RequestContext;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * One request's DAG run. Confined to the request's loop: plain arrays indexed by the compiled
 * node index, no locks. Entry points ({@link #start}, {@link #onSignal}, {@link #onTimeout}) are
 * guarded so that an engine bug fails the request instead of leaving its future pending.
 */
final class Run {

    private static final byte WAITING = 0;
    private static final byte RUNNING = 1;
    private static final byte SETTLED = 2;
    private static final Object[] NO_VALUES = new Object[0];
    /** Start time of a node that never started (loop clocks may be negative, so not -1). */
    private static final long NOT_STARTED = Long.MIN_VALUE;

    final DagExecutor exec;
    final CompiledDag dag;
    final RequestContext ctx;
    final LoopScheduler loop;
    final CompletableFuture<DagResult> future = new CompletableFuture<>();

    private final long startNanos;
    private final long deadlineNanos;
    private final int[] pending;
    private final Object[] outputs;
    private final byte[] state;
    private final NodeCall[] calls;
    private final int[] inputSizes;      // debug only
    private final ArrayList<NodeSpan> trace; // debug only
    private ArrayList<Degradation> degraded;
    private boolean done;

    Run(DagExecutor exec, CompiledDag dag, RequestContext ctx) {
        this.exec = exec;
        this.dag = dag;
        this.ctx = ctx;
        this.loop = ctx.loop();
        this.startNanos = loop.nanoTime();
        long dagDeadline = startNanos + dag.deadlineNanos();
        this.deadlineNanos = Math.min(ctx.deadlineNanos(), dagDeadline);
        int n = dag.size();
        this.pending = new int[n];
        for (int i = 0; i < n; i++) {
            pending[i] = dag.node(i).inputs().length;
        }
        this.outputs = new Object[n];
        this.state = new byte[n];
        this.calls = new NodeCall[n];
        if (ctx.debug()) {
            inputSizes = new int[n];
            trace = new ArrayList<>(n);
        } else {
            inputSizes = null;
            trace = null;
        }
    }

    /** When this request started, on its loop's clock ({@link LoopScheduler#nanoTime()}). */
    long startNanos() {
        return startNanos;
    }

    void start() {
        try {
            int n = pending.length;
            for (int i = 0; i < n && !done; i++) {
                if (state[i] == WAITING && dag.node(i).inputs().length == 0) {
                    tryStart(i);
                }
            }
        } catch (Throwable t) {
            crash(t);
        }
    }

    /** Inputs settled: start the node, or settle it as not started. */
    private void tryStart(int i) {
        CompiledDag.Node node = dag.node(i);
        int[] in = node.inputs();
        Object[] values = in.length == 0 ? NO_VALUES : new Object[in.length];
        int present = 0;
        for (int k = 0; k < in.length; k++) {
            Object v = outputs[in[k]];
            values[k] = v;
            if (v != null) {
                present++;
            }
        }
        if (inputSizes != null) {
            inputSizes[i] = inputSize(values);
        }
        if (present < node.minInputs()) {
            notStarted(i, NodeOutcome.MISSING_INPUTS, node.onError(), node.errorFallback(),
                    present + " of " + in.length + " inputs present, needs " + node.minInputs());
            return;
        }
        long now = loop.nanoTime();
        long remaining = deadlineNanos - now;
        long budget = Math.min(node.deadlineNanos(), remaining);
        if (remaining <= 0) {
            // Past the request's deadline, however it got there (a budget-bound timeout, a result
            // that came late, or a synchronous operator that overran its CPU budget): the node still
            // starts with zero budget and counts only if it finishes synchronously, so the merges and
            // truncations of what arrived yield a partial answer instead of none. Work that cannot
            // finish on the loop is not started: a cpu-heavy node would only queue expired work.
            if (node.cpuHeavy()) {
                notStarted(i, NodeOutcome.NO_BUDGET, node.onTimeout(), node.timeoutFallback(),
                        "request budget gone " + (-remaining / 1000) + "us before start");
                return;
            }
            budget = 0;
        }
        NodeCall c = new NodeCall(this, i, now, node.deadlineNanos() >= remaining);
        calls[i] = c;
        state[i] = RUNNING;
        Inputs inputs = new Inputs(node.id(), node.inputIds(), values);
        if (node.cpuHeavy()) {
            c.inputs = inputs;
            c.timer = loop.schedule(budget, c);
            String refused = WorkerPool.handOff(exec.cpuPool, new NodeCall.Heavy(c)); // on the loop: never blocks
            if (refused != null) {
                // The pool is full or shut down: the node cannot run; its error policy decides.
                c.timer.cancel();
                failed(i, c, NodeOutcome.ERROR, refused);
            }
            return;
        }
        Mono<?> mono;
        try {
            mono = applyOperator(i, inputs);
        } catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
            failed(i, c, NodeOutcome.ERROR, describe(t));
            return;
        }
        if (mono == null) {
            failed(i, c, NodeOutcome.ERROR, "operator returned a null Mono");
            return;
        }
        c.subscribing = true;
        try {
            mono.subscribe(c);
        } catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
            c.error = t;
            c.syncDone = true;
        }
        c.subscribing = false;
        if (c.syncDone) {
            onSignal(c);
        } else if (budget == 0) {
            onTimeout(c);
        } else if (state[i] == RUNNING && calls[i] == c) {
            c.timer = loop.schedule(budget, c);
        }
    }

    Mono<?> applyOperator(int i, Inputs inputs) {
        return dag.node(i).operator().apply(inputs, ctx);
    }

    /** On the loop: the node's Mono signalled (possibly after its timer fired: then ignored). */
    void onSignal(NodeCall c) {
        int i = c.index;
        if (done || state[i] != RUNNING || calls[i] != c) {
            return;
        }
        try {
            if (c.timer != null) {
                c.timer.cancel();
            }
            long now = loop.nanoTime();
            Throwable error = c.error;
            if (error instanceof TimeoutException) {
                // The operator's own deadline check (a batcher dropping expired rows, say) beat the
                // node's timer to it: late is a timeout, whichever noticed first.
                CompiledDag.Node node = dag.node(i);
                nodeDegraded(i, NodeOutcome.TIMEOUT, node.onTimeout(), node.timeoutFallback(), c.startNanos,
                        now - c.startNanos, describe(error));
            } else if (error != null) {
                failed(i, c, NodeOutcome.ERROR, describe(error));
            } else {
                settle(i, NodeOutcome.OK, c.value, c.startNanos, now - c.startNanos, null, null);
            }
        } catch (Throwable t) {
            crash(t);
        }
    }

    /** On the loop: the node's timer fired before its Mono signalled. */
    void onTimeout(NodeCall c) {
        int i = c.index;
        if (done || state[i] != RUNNING || calls[i] != c) {
            return;
        }
        try {
            calls[i] = null; // a signal the cancel itself provokes (some sources error on cancel) is ignored
            c.cancel();
            CompiledDag.Node node = dag.node(i);
            long took = loop.nanoTime() - c.startNanos;
            nodeDegraded(i, NodeOutcome.TIMEOUT, node.onTimeout(), node.timeoutFallback(), c.startNanos, took,
                    "no result after " + (took / 1000) + "us" + (c.budgetBound ? " (request deadline)" : ""));
        } catch (Throwable t) {
            crash(t);
        }
    }

    private void failed(int i, NodeCall c, NodeOutcome cause, String detail) {
        CompiledDag.Node node = dag.node(i);
        nodeDegraded(i, cause, node.onError(), node.errorFallback(), c.startNanos, loop.nanoTime() - c.startNanos, detail);
    }

    private void notStarted(int i, NodeOutcome cause, Policy policy, int fallback, String detail) {
        nodeDegraded(i, cause, policy, fallback, NOT_STARTED, 0L, detail);
    }

    private void nodeDegraded(int i, NodeOutcome cause, Policy policy, int fallback, long startedNanos, long took, String detail) {
        switch (policy.kind()) {
            case SKIP:
                settle(i, cause, null, startedNanos, took, policy, detail);
                return;
            case FALLBACK:
                Object stand = outputs[fallback];
                settle(i, cause, stand, startedNanos, took, policy,
                        detail + "; fell back to '" + dag.node(fallback).id() + "'" + (stand == null ? " (which has no output)" : ""));
                return;
            default:
                record(i, cause, null, startedNanos, took, policy, detail);
                String id = dag.node(i).id();
                fail("node '" + id + "' " + cause.name().toLowerCase() + ": " + detail);
        }
    }

    /** Records the node's outcome and propagates its output to dependents. */
    private void settle(int i, NodeOutcome outcome, Object output, long startedNanos, long took, Policy action, String detail) {
        record(i, outcome, output, startedNanos, took, action, detail);
        outputs[i] = output;
        if (i == dag.outputIndex()) {
            finish();
            return;
        }
        int[] deps = dag.node(i).dependents();
        for (int k = 0; k < deps.length && !done; k++) {
            int d = deps[k];
            if (--pending[d] == 0 && state[d] == WAITING) {
                tryStart(d);
            }
        }
    }

    /**
     * On the worker thread that ran node {@code i}'s heavy part: its CPU time goes to the listener
     * only (the compiled DAG and the executor are immutable; no run state is touched off the loop).
     */
    void nodeCpu(int i, long cpuNanos) {
        CompiledDag.Node node = dag.node(i);
        try {
            exec.listener.onNodeCpu(dag.name(), node.id(), node.op(), cpuNanos);
        } catch (RuntimeException e) {
            exec.listenerFailed(e);
        }
    }

    /** The one bookkeeping wrapper: state, listener, trace, degradation. */
    private void record(int i, NodeOutcome outcome, Object output, long startedNanos, long took, Policy action, String detail) {
        state[i] = SETTLED;
        calls[i] = null;
        CompiledDag.Node node = dag.node(i);
        int size = output instanceof Candidates ? ((Candidates) output).size() : -1;
        try {
            exec.listener.onNode(dag.name(), node.id(), node.op(), outcome, took, size);
        } catch (RuntimeException e) {
            exec.listenerFailed(e);
        }
        if (trace != null) {
            trace.add(new NodeSpan(node.id(), node.op(), startedNanos == NOT_STARTED ? -1L : startedNanos - ctx.arrivalNanos(), took,
                    outcome, inputSizes[i], size, output));
        }
        if (outcome != NodeOutcome.OK && outcome != NodeOutcome.CANCELLED) {
            if (degraded == null) {
                degraded = new ArrayList<>(4);
            }
            degraded.add(new Degradation(node.id(), outcome, action, detail));
        }
    }

    /** The output node settled: the request is answered. */
    private void finish() {
        done = true;
        cancelOutstanding();
        Object out = outputs[dag.outputIndex()];
        String failure = null;
        if (out == null) {
            String id = dag.node(dag.outputIndex()).id();
            failure = "output node '" + id + "' produced no output";
            if (degraded != null) {
                for (Degradation d : degraded) {
                    if (d.node().equals(id)) {
                        failure += " (" + d.cause().name().toLowerCase() + ": " + d.detail() + ")";
                    }
                }
            }
        }
        complete(out, failure);
    }

    /** A node with {@code fail} policy failed (or the engine broke): cancel everything and answer. */
    private void fail(String reason) {
        if (done) {
            return;
        }
        done = true;
        cancelOutstanding();
        complete(null, reason);
    }

    private void cancelOutstanding() {
        for (int i = 0; i < state.length; i++) {
            if (state[i] == SETTLED) {
                continue;
            }
            NodeCall c = calls[i];
            long started = NOT_STARTED;
            long took = 0L;
            if (c != null) {
                if (c.timer != null) {
                    c.timer.cancel();
                }
                c.cancel();
                started = c.startNanos;
                took = loop.nanoTime() - c.startNanos;
            }
            record(i, NodeOutcome.CANCELLED, null, started, took, null, "request finished");
        }
    }

    private void complete(Object output, String failure) {
        List<Degradation> deg = degraded == null ? List.of() : Collections.unmodifiableList(degraded);
        List<NodeSpan> tr = trace == null ? List.of() : Collections.unmodifiableList(trace);
        DagResult result = new DagResult(dag.name(), dag.version(), failure == null ? output : null, failure != null,
                failure, deg, tr, loop.nanoTime() - startNanos);
        try {
            exec.listener.onRequest(dag.name(), result);
        } catch (RuntimeException e) {
            exec.listenerFailed(e);
        }
        future.complete(result);
    }

    private void crash(Throwable t) {
        exec.internalError(dag.name(), t);
        if (!done) {
            fail("internal error: " + t);
        }
    }

    private static int inputSize(Object[] values) {
        int n = -1;
        for (Object v : values) {
            if (v instanceof Candidates) {
                n = Math.max(n, 0) + ((Candidates) v).size();
            }
        }
        return n;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + m;
    }
}
