/**
 * Per-node latency windows and latency-driven width: a node with {@code target_p95_ms} has its
 * width parameters ({@code limit}, {@code keep}, {@code k}) scaled down while its observed p95 is
 * above the target and back up when it recovers — graceful before partial. The windows also feed
 * the console's live per-node numbers.
 */
package dev.funnel.engine.width;
