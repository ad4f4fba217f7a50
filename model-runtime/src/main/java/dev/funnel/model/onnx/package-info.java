/**
 * Writing ONNX models from weight arrays with our own protobuf encoder:
 * {@link dev.funnel.model.onnx.OnnxGraph} builds any graph of standard ops;
 * {@link dev.funnel.model.onnx.TwoTowerModel} is the two-tower pre-ranking model.
 */
package dev.funnel.model.onnx;
