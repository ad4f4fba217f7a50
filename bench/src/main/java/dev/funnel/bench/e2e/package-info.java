/**
 * End-to-end load figures: {@link dev.funnel.bench.e2e.OpenLoopDriver}, an open-model HTTP/2 load
 * generator light enough to share two cores with the server it measures (latency from each
 * request's intended send time, so a stalled server cannot hide its queueing), used by
 * {@code bench/scripts/e2e.sh} for the sustainable-rate sweep, the slow-branch case and overload.
 */
package dev.funnel.bench.e2e;
