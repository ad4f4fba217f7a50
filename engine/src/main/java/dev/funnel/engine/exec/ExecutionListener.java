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

    /** A request's DAG run finished. */
    default void onRequest(String dag, DagResult result) {
    }
}
