/**
 * Model-runtime benchmarks: the dynamic batcher against per-request inference
 * ({@link dev.funnel.bench.model.BatcherBench}) and {@code rank.onnx} against bare ONNX Runtime on
 * the same batches ({@link dev.funnel.bench.model.RankBench}).
 */
package dev.funnel.bench.model;
