/**
 * The model runtime's public surface: an {@link dev.funnel.model.InferenceBackend} loads ONNX
 * bytes into {@link dev.funnel.model.ModelSession}s with a {@link dev.funnel.model.ModelSignature};
 * {@link dev.funnel.model.BackendConfig} picks the backend; a {@link dev.funnel.model.ModelLease}
 * pins one live version while a batch runs. Subpackages: {@code backend} (implementations),
 * {@code batch} (the dynamic batcher), {@code registry} (versions, swap, rollback),
 * {@code embedding} (parameter-server tables), {@code onnx} (writing models), {@code ctr} (the
 * ranking model) and {@code serving} (wiring for the server and operators).
 */
package dev.funnel.model;
