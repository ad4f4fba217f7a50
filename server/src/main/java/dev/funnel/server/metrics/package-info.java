/**
 * Micrometer metrics, scraped as Prometheus text at {@code /metrics}: the engine's per-node and
 * per-request bookkeeping ({@link dev.funnel.server.metrics.MicrometerExecutionListener}) and the
 * HTTP layer's request rate and latency by scene and status ({@link dev.funnel.server.metrics.HttpMetrics}).
 * Meters are created once per tag combination and cached, so recording allocates nothing.
 */
package dev.funnel.server.metrics;
