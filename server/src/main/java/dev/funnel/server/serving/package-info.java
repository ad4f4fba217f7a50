/**
 * What is serving now and what happens around a response: {@link dev.funnel.server.serving.LiveConfig}
 * (the compiled DAGs and routes, hot-swapped atomically), {@link dev.funnel.server.serving.Readiness}
 * (gates that must open before {@code /health/ready} says yes) and
 * {@link dev.funnel.server.serving.ResponseListener} hooks that run after a response is written
 * (exposure writes, impression logs), off the critical path, and
 * {@link dev.funnel.server.serving.RecentRequests} (the last served requests' inputs, recorded without
 * a lock, for explain to replay by request id).
 */
package dev.funnel.server.serving;
