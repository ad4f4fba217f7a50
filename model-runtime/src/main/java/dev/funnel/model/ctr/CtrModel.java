package dev.funnel.model.ctr;

import dev.funnel.model.onnx.OnnxGraph;

/**
 * The {@code ctr} architecture (inputs and output in {@link CtrModelSpec}): writes it as ONNX from
 * {@link CtrWeights}, and computes it in plain Java as the reference the ONNX output is checked
 * against (and the trainer's forward pass). Stateless.
 *
 * <p>The ONNX model carries metadata {@value #META_ARCH}={@code ctr},
 * {@value #META_SCHEMA}=the feature schema version, {@value #META_HEADS}=comma-separated heads and
 * {@value #META_FIELD_DIM}=the field embedding width, which the registry checks at load.
 */
public final class CtrModel {

    public static final String USER_EMB = "user_emb";
    public static final String ITEM_EMB = "item_emb";
    public static final String FIELD_EMB = "field_emb";
    public static final String DENSE = "dense";
    public static final String WIDE = "wide";
    public static final String PROBS = "probs";
    /** The input names, in the order of the MLP input's concatenation ({@link #WIDE} last, not concatenated). */
    public static final String[] INPUTS = {USER_EMB, ITEM_EMB, FIELD_EMB, DENSE, WIDE};

    public static final String META_ARCH = "funnel.arch";
    public static final String META_SCHEMA = "funnel.feature_schema";
    public static final String META_HEADS = "funnel.heads";
    public static final String META_FIELD_DIM = "funnel.field_dim";

    private CtrModel() {
    }

    /** The width of each input, in {@link #INPUTS} order. */
    public static int[] inputWidths(CtrModelSpec spec) {
        return new int[] {spec.contentDim(), spec.contentDim(), spec.fieldCount() * spec.fieldDim(), spec.denseCount(),
            spec.headCount()};
    }

    /** The ONNX {@code ModelProto} bytes of the model with these weights. */
    public static byte[] toOnnx(CtrWeights weights) {
        CtrModelSpec spec = weights.spec();
        int[] in = inputWidths(spec);
        int[] widths = spec.layerWidths();
        OnnxGraph g = OnnxGraph.named("ctr");
        for (int i = 0; i < INPUTS.length; i++) {
            g.input(INPUTS[i], OnnxGraph.DYNAMIC, in[i]);
        }
        g.output(PROBS, OnnxGraph.DYNAMIC, spec.headCount());
        g.concat(1, "x0", USER_EMB, ITEM_EMB, FIELD_EMB, DENSE);
        String x = "x0";
        for (int l = 0; l < weights.layers(); l++) {
            g.initializer("w" + l, weights.weights(l), widths[l], widths[l + 1]);
            g.initializer("b" + l, weights.bias(l), widths[l + 1]);
            String y = "z" + l;
            g.gemm(x, "w" + l, "b" + l, y);
            if (l < weights.layers() - 1) {
                g.unary("Relu", y, "h" + l);
                x = "h" + l;
            } else {
                x = y;
            }
        }
        g.binary("Add", x, WIDE, "logits");
        // The sigmoid as 1 / (1 + exp(-z)), not ONNX's Sigmoid: ONNX Runtime's float32 Sigmoid
        // kernel returns small probabilities in steps of 2^-25 (seen: 3, 4, 5 × 2.98e-8, as a
        // result formed around 0.5 would be) and 0 below ~3e-8, so a model that has seen no clicks
        // for a while (predictions 1e-9..1e-6) scored its items in a few steps and then all 0.0,
        // and ranking tied. This form keeps float32's relative precision down to ~1e-38 (exp(-z)
        // overflows to infinity, giving 0, only below float's normal range).
        g.initializer("one", new float[] {1f}, 1);
        g.unary("Neg", "logits", "neg_logits");
        g.unary("Exp", "neg_logits", "exp_neg_logits");
        g.binary("Add", "exp_neg_logits", "one", "one_plus_exp");
        g.unary("Reciprocal", "one_plus_exp", PROBS);
        g.metadata(META_ARCH, "ctr")
                .metadata(META_SCHEMA, spec.schemaVersion())
                .metadata(META_HEADS, String.join(",", spec.heads()))
                .metadata(META_FIELD_DIM, Integer.toString(spec.fieldDim()));
        return g.toModelBytes();
    }

    /**
     * The reference forward pass over n rows; arrays are row-major with the widths of
     * {@link #inputWidths}. Returns probs [n, heads].
     */
    public static float[] forward(CtrWeights weights, int n, float[] userEmb, float[] itemEmb, float[] fieldEmb,
                                  float[] dense, float[] wide) {
        CtrModelSpec spec = weights.spec();
        int[] widths = spec.layerWidths();
        int[] in = inputWidths(spec);
        float[][] parts = {userEmb, itemEmb, fieldEmb, dense};
        float[] x = new float[n * widths[0]];
        for (int r = 0; r < n; r++) {
            int o = r * widths[0];
            for (int p = 0; p < parts.length; p++) {
                System.arraycopy(parts[p], r * in[p], x, o, in[p]);
                o += in[p];
            }
        }
        for (int l = 0; l < weights.layers(); l++) {
            int fin = widths[l];
            int fout = widths[l + 1];
            float[] w = weights.weights(l);
            float[] b = weights.bias(l);
            float[] y = new float[n * fout];
            boolean last = l == weights.layers() - 1;
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < fout; j++) {
                    double s = b[j];
                    for (int i = 0; i < fin; i++) {
                        s += x[r * fin + i] * w[i * fout + j];
                    }
                    y[r * fout + j] = last ? (float) s : (float) Math.max(0.0, s);
                }
            }
            x = y;
        }
        int h = spec.headCount();
        for (int i = 0; i < n * h; i++) {
            x[i] = (float) (1.0 / (1.0 + Math.exp(-(x[i] + wide[i]))));
        }
        return x;
    }
}
