package dev.funnel.engine.exec;

/**
 * Receives per-node and per-request bookkeeping, for metrics (the server adapts it to Micrometer:
 * latency histograms, outcome counters by cause, output sizes). Called on the request's loop;
 * must be cheap and must not block.
 */
public interface ExecutionListener {

    /** Does nothing. */
    ExecutionListener NOOP = new ExecutionListener() {
    };

    /** A node settled. {@code outputSize} is -1 when its output is not a candidate list. */
    default void onNode(String dag, String node, String op, NodeOutcome outcome, long tookNanos, int outputSize) {
    }

    /**
     * A cpu-heavy node's synchronous part (the operator's {@code apply} and the subscription to its
     * result) used {@code cpuNanos} of its worker thread's CPU time. Called on that worker thread, not
     * an event loop, before or after {@link #onNode} for the same run: implementations must be
     * thread-safe. Work the node hands on elsewhere (a batcher's inference, say) is not in it. Not
     * called where the JVM cannot read a thread's CPU time.
     */
    default void onNodeCpu(String dag, String node, String op, long cpuNanos) {
    }

    /** A request's DAG run finished. */
    default void onRequest(String dag, DagResult result) {
    }
}
