package dev.funnel.trainer.learn;

/**
 * The ctr model function, exactly as the ONNX graph computes it: {@code sigmoid(wide + MLP(x))} with
 * {@code x = [userEmb, itemEmb, fieldEmb…, dense]}, Gemm+Relu per hidden layer and a final Gemm.
 * Weights are [in, out] row-major per layer. Stateless; callers pass scratch arrays.
 */
public final class CtrMath {

    private CtrMath() {
    }

    /** Scratch activations for a shape: one array per layer output, plus the input. */
    public static float[][] scratch(CtrShape shape) {
        int[] widths = shape.layerWidths();
        float[][] acts = new float[widths.length][];
        for (int l = 0; l < widths.length; l++) {
            acts[l] = new float[widths[l]];
        }
        return acts;
    }

    /**
     * Runs the MLP on {@code acts[0]} (the input, filled by the caller), leaving pre-sigmoid logits in
     * the last array; hidden arrays hold post-ReLU activations.
     */
    public static void mlp(float[][] w, float[][] b, float[][] acts) {
        int layers = w.length;
        for (int l = 0; l < layers; l++) {
            float[] in = acts[l];
            float[] out = acts[l + 1];
            int nIn = in.length;
            int nOut = out.length;
            float[] wl = w[l];
            System.arraycopy(b[l], 0, out, 0, nOut);
            for (int i = 0; i < nIn; i++) {
                float xi = in[i];
                if (xi == 0f) {
                    continue;
                }
                int base = i * nOut;
                for (int j = 0; j < nOut; j++) {
                    out[j] += xi * wl[base + j];
                }
            }
            if (l < layers - 1) {
                for (int j = 0; j < nOut; j++) {
                    if (out[j] < 0f) {
                        out[j] = 0f;
                    }
                }
            }
        }
    }

    /** Copies {@code src} into {@code dst[off..off+len)}, zero-filling when src is shorter or empty. */
    public static void put(float[] dst, int off, float[] src, int len) {
        int n = Math.min(len, src == null ? 0 : src.length);
        if (n > 0) {
            System.arraycopy(src, 0, dst, off, n);
        }
        for (int i = n; i < len; i++) {
            dst[off + i] = 0f;
        }
    }

    public static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
