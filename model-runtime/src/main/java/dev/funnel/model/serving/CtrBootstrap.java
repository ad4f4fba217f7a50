package dev.funnel.model.serving;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import java.util.SplittableRandom;

/**
 * The initial {@code ctr} model the demo serves before the trainer publishes anything: small
 * random weights (so training breaks symmetry) plus a hand-set path through the MLP that scores
 * by the dense features — content affinity, interest match, popularity and freshness — so the
 * demo ranks sensibly without any download. Stateless.
 */
public final class CtrBootstrap {

    /** The version name of the bootstrap model: "0", before the trainer's first delta (version 1). */
    public static final String VERSION = "0";
    /**
     * The seed of the bootstrap model the server serves as {@link #VERSION} ({@link ModelRuntime#demo}); a
     * trainer (embedded or standalone) starts from {@link #weights} with it, so its deltas continue that model.
     */
    public static final long DEFAULT_SEED = 42;
    private static final double BASE_RATE = 0.05;
    private static final float NOISE = 0.01f;

    private CtrBootstrap() {
    }

    /** The bootstrap model's ONNX bytes. */
    public static byte[] onnx(FeatureSchema schema, CtrModelSpec spec, long seed) {
        return CtrModel.toOnnx(weights(schema, spec, seed));
    }

    /**
     * The bootstrap weights. Dense feature d enters the first hidden layer as units
     * {@code relu(x_d)} and {@code relu(-x_d)}, passes later hidden layers unchanged, and reaches
     * each head's logit with a coefficient ({@code affinity 4, interest 1.5, log-popularity 6,
     * freshness 1}; the {@code like} head and any others at half strength). Hidden layers narrower
     * than twice the dense count get random weights only.
     */
    public static CtrWeights weights(FeatureSchema schema, CtrModelSpec spec, long seed) {
        if (!schema.version().equals(spec.schemaVersion())) {
            throw new IllegalArgumentException("spec is for schema " + spec.schemaVersion() + ", not " + schema.version());
        }
        CtrWeights w = CtrWeights.zeros(spec);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int l = 0; l < w.layers(); l++) {
            float[] a = w.weights(l);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (rnd.nextDouble(-1, 1) * NOISE);
            }
        }
        int[] widths = spec.layerWidths();
        int k = spec.denseCount();
        int denseStart = 2 * spec.contentDim() + spec.fieldCount() * spec.fieldDim();
        float[] coef = new float[k];
        for (int d = 0; d < k; d++) {
            coef[d] = coefficient(schema.dense().get(d));
        }
        int layers = w.layers();
        boolean path = true;
        for (int l = 0; l < layers - 1; l++) {
            path &= widths[l + 1] >= 2 * k;
        }
        if (path && layers > 1) {
            // layer 0: ±x_d into units 2d, 2d+1
            float[] w0 = w.weights(0);
            int out0 = widths[1];
            for (int d = 0; d < k; d++) {
                int row = denseStart + d;
                w0[row * out0 + 2 * d] = 1f;
                w0[row * out0 + 2 * d + 1] = -1f;
            }
            // middle layers: identity on the first 2k units
            for (int l = 1; l < layers - 1; l++) {
                float[] wl = w.weights(l);
                int out = widths[l + 1];
                for (int u = 0; u < 2 * k; u++) {
                    for (int j = 0; j < 2 * k; j++) {
                        wl[u * out + j] = u == j ? 1f : 0f;
                    }
                }
            }
            float[] last = w.weights(layers - 1);
            int heads = spec.headCount();
            for (int d = 0; d < k; d++) {
                for (int h = 0; h < heads; h++) {
                    float c = h == 0 ? coef[d] : coef[d] / 2;
                    last[(2 * d) * heads + h] = c;
                    last[(2 * d + 1) * heads + h] = -c;
                }
            }
        } else if (layers == 1) {
            float[] w0 = w.weights(0);
            int heads = spec.headCount();
            for (int d = 0; d < k; d++) {
                for (int h = 0; h < heads; h++) {
                    w0[(denseStart + d) * heads + h] = h == 0 ? coef[d] : coef[d] / 2;
                }
            }
        }
        java.util.Arrays.fill(w.bias(layers - 1), (float) Math.log(BASE_RATE / (1 - BASE_RATE)));
        return w;
    }

    private static float coefficient(FeatureSchema.DenseFeature f) {
        switch (f) {
            case CONTENT_AFFINITY:
                return 4f;
            case INTEREST_MATCH:
                return 1.5f;
            case LOG_POPULARITY:
                return 6f;
            case FRESHNESS:
                return 1f;
            default:
                return 0f;
        }
    }
}
