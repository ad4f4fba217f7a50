package dev.funnel.engine.exec;

import java.util.List;

/**
 * What one request's DAG run produced.
 *
 * @param dag       the DAG's name
 * @param version   the compiled DAG's version
 * @param output    the output node's output (typically {@link dev.funnel.engine.spi.Candidates}),
 *                  null when the request failed or the output node had none
 * @param failed    true when a node with {@code fail} policy failed (or the output is missing):
 *                  the server answers 5xx
 * @param failure   what failed, when failed
 * @param degraded  nodes that timed out, failed or fell back, in the order they settled
 * @param trace     every node's span, in settle order, when the request asked for debug; else empty
 * @param tookNanos from start to result
 */
public record DagResult(String dag, String version, Object output, boolean failed, String failure,
                        List<Degradation> degraded, List<NodeSpan> trace, long tookNanos) {

    /** True when any node degraded: the response says {@code partial}. */
    public boolean partial() {
        return !degraded.isEmpty();
    }
}
