package dev.funnel.model;

import java.nio.FloatBuffer;

/**
 * One loaded model on one backend. {@link #run} may be called from several threads at once (the
 * ONNX Runtime contract); {@link #close} must not overlap a run — the registry guarantees that
 * by reference counting.
 */
public interface ModelSession extends AutoCloseable {

    /** Inputs, outputs and metadata, as the model declares them. */
    ModelSignature signature();

    /**
     * Runs the model on {@code rows} rows.
     *
     * @param rows    batch size, ≥ 1
     * @param inputs  one buffer per {@link ModelSignature#inputs()} entry, in order, holding
     *                {@code rows × width} floats row-major from position 0 (direct buffers in
     *                native order avoid a copy)
     * @param outputs one array per {@link ModelSignature#outputs()} entry, in order, with room for
     *                {@code rows × width}; filled row-major
     * @throws InferenceException when the backend fails; the batch's rows fail with it
     */
    void run(int rows, FloatBuffer[] inputs, float[][] outputs) throws InferenceException;

    /** Frees native resources. Not concurrent with {@link #run}. */
    @Override
    void close();
}
