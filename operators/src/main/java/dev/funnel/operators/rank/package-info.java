/**
 * Ranking operators: {@code rank.onnx} ({@link dev.funnel.operators.rank.OnnxRank}) scores
 * candidates with an ONNX model through the model runtime's batcher and fuses objectives by a
 * configured formula; {@link dev.funnel.operators.rank.TopRows} keeps the best rows without
 * per-candidate allocation.
 */
package dev.funnel.operators.rank;
