package dev.funnel.engine.exec;

/**
 * One node's trace entry for one request.
 *
 * @param node        node id
 * @param op          operator name
 * @param startNanos  start, relative to the request's arrival (-1 when not started)
 * @param tookNanos   time from start to settle (0 when not started)
 * @param outcome     how it ended
 * @param inputSize   candidates in (sum over Candidates inputs), -1 when not applicable
 * @param outputSize  candidates out, -1 when the output is not a list
 * @param output      the node's output when the request asked for debug, else null
 */
public record NodeSpan(String node, String op, long startNanos, long tookNanos, NodeOutcome outcome,
                       int inputSize, int outputSize, Object output) {
}
