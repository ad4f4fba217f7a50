/**
 * The {@code ctr} ranking model served by {@code rank.onnx} and trained by the trainer: its shape
 * and input/output contract ({@link dev.funnel.model.ctr.CtrModelSpec}), dense weights
 * ({@link dev.funnel.model.ctr.CtrWeights}), ONNX export and reference forward pass
 * ({@link dev.funnel.model.ctr.CtrModel}), and input assembly from features and embedding tables
 * ({@link dev.funnel.model.ctr.CtrInputs}).
 */
package dev.funnel.model.ctr;
