package dev.funnel.server.serving;

import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.RequestContext;

/**
 * A side effect of a served recommendation (exposure write, impression log), run after the
 * response has been written so it adds nothing to the client's latency. Register one from a
 * {@link dev.funnel.server.wiring.FeatureWiring} with {@code ctx.responseHooks().add(...)}.
 *
 * <p>Called on the request's event loop, once per successful response, in registration order.
 * It must not block: hand I/O to an asynchronous client or a queue. A listener that throws is
 * counted ({@code funnel_response_hook_errors_total}) and logged once per listener; the others
 * still run.
 */
@FunctionalInterface
public interface ResponseListener {

    /**
     * @param request the request (user, scene, context, bucket, and the {@code attributes()} the
     *                operators left, e.g. the ranker's feature snapshot)
     * @param served  exactly the items sent to the client, in order, with scores and provenance
     * @param result  the DAG run (dag version, degraded nodes, timing)
     */
    void onResponse(RequestContext request, Candidates served, DagResult result);
}
