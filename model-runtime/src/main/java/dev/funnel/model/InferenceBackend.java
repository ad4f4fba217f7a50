package dev.funnel.model;

/**
 * An inference engine that turns ONNX bytes into runnable {@link ModelSession}s: ONNX Runtime on
 * CPU, with the CUDA or TensorRT execution provider, or TensorRT directly. Chosen by
 * {@link BackendConfig} through {@code dev.funnel.model.backend.Backends}. Thread-safe.
 */
public interface InferenceBackend extends AutoCloseable {

    /** The backend actually running (after any fallback), e.g. {@code ort-cpu}. */
    BackendConfig.Kind kind();

    /**
     * Loads a model. Blocking and slow (milliseconds to minutes for TensorRT engine builds): call
     * it off the event loop — the registry does.
     *
     * @param onnx the {@code ModelProto} bytes
     * @throws InferenceException when the model cannot be loaded on this backend
     */
    ModelSession load(byte[] onnx) throws InferenceException;

    /** Releases backend-wide resources; sessions must be closed first. */
    @Override
    void close();
}
