/**
 * Inference backends behind {@link dev.funnel.model.InferenceBackend}: ONNX Runtime with the CPU,
 * CUDA or TensorRT execution provider, and TensorRT through JavaCPP with a serialized-engine
 * cache. {@link dev.funnel.model.backend.Backends} starts the configured one and falls back to
 * CPU when it cannot.
 */
package dev.funnel.model.backend;
