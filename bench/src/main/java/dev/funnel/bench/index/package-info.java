/**
 * Index benchmarks: {@link dev.funnel.bench.index.AnnBenchmark} compares the index's jvector graph,
 * Lucene's HNSW and exact search on the sim world's embeddings (recall@10 and single-thread QPS,
 * side by side in one run).
 */
package dev.funnel.bench.index;
