/**
 * Wiring for the server and the ranking operators: {@link dev.funnel.model.serving.ModelRuntime}
 * (backend, registry, per-model tables and batchers; registered in the OperatorEnv),
 * {@link dev.funnel.model.serving.RankModel} (what {@code rank.onnx} scores with) and
 * {@link dev.funnel.model.serving.CtrBootstrap} (the demo's initial model).
 */
package dev.funnel.model.serving;
