package dev.funnel.trainer;

/** Serializes the dense part (MLP weights and biases, [in, out] row-major per layer) as an ONNX model. */
@FunctionalInterface
public interface OnnxExporter {

    /** The ONNX bytes of the model with these weights. Called on the trainer's thread. */
    byte[] toOnnx(float[][] weights, float[][] biases);
}
