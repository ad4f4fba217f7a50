package dev.funnel.model.backend;

import dev.funnel.model.InferenceBackend;
import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelSession;
import dev.funnel.model.onnx.OnnxGraph;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A two-weight model (y = sigmoid(x · w + b)) that a backend must load and compute correctly
 * before it is trusted: a provider that is present but broken (wrong CUDA, no device) fails here,
 * at start, rather than on the first request.
 */
final class ProbeModel {

    private ProbeModel() {
    }

    static byte[] bytes() {
        return OnnxGraph.named("probe")
                .input("x", OnnxGraph.DYNAMIC, 2)
                .output("y", OnnxGraph.DYNAMIC, 1)
                .initializer("w", new float[] {0.5f, -0.25f}, 2, 1)
                .initializer("b", new float[] {0.125f}, 1)
                .gemm("x", "w", "b", "z")
                .unary("Sigmoid", "z", "y")
                .toModelBytes();
    }

    static void check(InferenceBackend backend) throws InferenceException {
        try (ModelSession s = backend.load(bytes())) {
            FloatBuffer in = ByteBuffer.allocateDirect(4 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            in.put(new float[] {1f, 2f, -1f, 0f}).flip();
            float[][] out = {new float[2]};
            s.run(2, new FloatBuffer[] {in}, out);
            double y0 = 1 / (1 + Math.exp(-(0.5 - 0.5 + 0.125)));
            double y1 = 1 / (1 + Math.exp(-(-0.5 + 0.125)));
            if (Math.abs(out[0][0] - y0) > 1e-3 || Math.abs(out[0][1] - y1) > 1e-3) {
                throw new InferenceException(backend.kind().id() + ": probe model computed " + out[0][0] + ", " + out[0][1]
                        + " instead of " + y0 + ", " + y1);
            }
        }
    }
}
