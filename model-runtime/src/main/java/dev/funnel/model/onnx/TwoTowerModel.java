package dev.funnel.model.onnx;

/**
 * A two-tower model: a user tower and an item tower (each an MLP of Gemm + Relu, linear last
 * layer) whose outputs' dot product is the score. Inputs {@value #USER} [N, userIn] and
 * {@value #ITEM} [N, itemIn]; output {@value #SCORE} [N, 1]. Weights per tower and layer are
 * [in, out] row-major with a bias of length out; both towers must end at the same width.
 * Stateless. (Serving pre-ranks with precomputed vectors and a plain dot product; this model is
 * for training snapshots and for scoring raw features offline.)
 */
public final class TwoTowerModel {

    public static final String USER = "user";
    public static final String ITEM = "item";
    public static final String SCORE = "score";

    private TwoTowerModel() {
    }

    /**
     * The ONNX bytes.
     *
     * @param userWidths layer widths of the user tower, input first
     * @param userW      per layer [in, out] row-major weights
     * @param userB      per layer biases
     */
    public static byte[] toOnnx(int[] userWidths, float[][] userW, float[][] userB,
                                int[] itemWidths, float[][] itemW, float[][] itemB) {
        if (userWidths[userWidths.length - 1] != itemWidths[itemWidths.length - 1]) {
            throw new IllegalArgumentException("towers must end at the same width, got "
                    + userWidths[userWidths.length - 1] + " and " + itemWidths[itemWidths.length - 1]);
        }
        OnnxGraph g = OnnxGraph.named("two_tower");
        g.input(USER, OnnxGraph.DYNAMIC, userWidths[0]);
        g.input(ITEM, OnnxGraph.DYNAMIC, itemWidths[0]);
        g.output(SCORE, OnnxGraph.DYNAMIC, 1);
        String u = tower(g, "u", USER, userWidths, userW, userB);
        String i = tower(g, "i", ITEM, itemWidths, itemW, itemB);
        g.binary("Mul", u, i, "ui");
        g.initializerInt64("axes1", new long[] {1}, 1);
        g.reduceSum("ui", "axes1", SCORE);
        g.metadata("funnel.arch", "two_tower");
        return g.toModelBytes();
    }

    /** The reference forward pass: score per row. */
    public static float[] forward(int n, float[] user, float[] item, int[] userWidths, float[][] userW, float[][] userB,
                                  int[] itemWidths, float[][] itemW, float[][] itemB) {
        float[] u = mlp(n, user, userWidths, userW, userB);
        float[] v = mlp(n, item, itemWidths, itemW, itemB);
        int d = userWidths[userWidths.length - 1];
        float[] out = new float[n];
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += u[r * d + j] * v[r * d + j];
            }
            out[r] = (float) s;
        }
        return out;
    }

    private static String tower(OnnxGraph g, String prefix, String input, int[] widths, float[][] w, float[][] b) {
        checkLayers(prefix, widths, w, b);
        String x = input;
        for (int l = 0; l < w.length; l++) {
            String wn = prefix + "_w" + l;
            String bn = prefix + "_b" + l;
            g.initializer(wn, w[l], widths[l], widths[l + 1]);
            g.initializer(bn, b[l], widths[l + 1]);
            String z = prefix + "_z" + l;
            g.gemm(x, wn, bn, z);
            if (l < w.length - 1) {
                g.unary("Relu", z, prefix + "_h" + l);
                x = prefix + "_h" + l;
            } else {
                x = z;
            }
        }
        return x;
    }

    static float[] mlp(int n, float[] x, int[] widths, float[][] w, float[][] b) {
        for (int l = 0; l < w.length; l++) {
            int fin = widths[l];
            int fout = widths[l + 1];
            float[] y = new float[n * fout];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < fout; j++) {
                    double s = b[l][j];
                    for (int i = 0; i < fin; i++) {
                        s += x[r * fin + i] * w[l][i * fout + j];
                    }
                    y[r * fout + j] = l < w.length - 1 ? (float) Math.max(0, s) : (float) s;
                }
            }
            x = y;
        }
        return x;
    }

    private static void checkLayers(String tower, int[] widths, float[][] w, float[][] b) {
        if (widths.length < 2 || w.length != widths.length - 1 || b.length != widths.length - 1) {
            throw new IllegalArgumentException("tower " + tower + ": " + widths.length + " widths need "
                    + (widths.length - 1) + " layers, got " + w.length + "/" + b.length);
        }
    }
}
