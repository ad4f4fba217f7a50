/**
 * Learning-loop benchmarks: freshness from trainer publish to serving apply over Chronicle Queue
 * (sparse and dense deltas), and ranking latency while deltas are applied versus none.
 */
package dev.funnel.bench.streams;
