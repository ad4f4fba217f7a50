package dev.funnel.model.ctr;

import java.util.SplittableRandom;

/**
 * The dense (MLP) weights of a {@code ctr} model: per layer l a matrix {@code w[l]} of shape
 * [in, out], row-major ({@code w[l][i * out + j]}), and a bias {@code b[l]} of length out. The
 * trainer owns and updates these arrays; {@link CtrModel#toOnnx} snapshots them. Not thread-safe.
 */
public final class CtrWeights {

    private final CtrModelSpec spec;
    private final float[][] w;
    private final float[][] b;

    private CtrWeights(CtrModelSpec spec, float[][] w, float[][] b) {
        this.spec = spec;
        this.w = w;
        this.b = b;
    }

    /** Zero weights. */
    public static CtrWeights zeros(CtrModelSpec spec) {
        int[] widths = spec.layerWidths();
        float[][] w = new float[widths.length - 1][];
        float[][] b = new float[widths.length - 1][];
        for (int l = 0; l < w.length; l++) {
            w[l] = new float[widths[l] * widths[l + 1]];
            b[l] = new float[widths[l + 1]];
        }
        return new CtrWeights(spec, w, b);
    }

    /**
     * He-initialised weights (uniform, scale √(6 / in)), a deterministic function of the seed, with
     * the output bias set to {@code logit(prior)} so an untrained model predicts the base rate.
     */
    public static CtrWeights init(CtrModelSpec spec, long seed, double prior) {
        if (!(prior > 0 && prior < 1)) {
            throw new IllegalArgumentException("prior must be in (0, 1), got " + prior);
        }
        CtrWeights cw = zeros(spec);
        int[] widths = spec.layerWidths();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int l = 0; l < cw.w.length; l++) {
            double scale = Math.sqrt(6.0 / widths[l]) * (l == cw.w.length - 1 ? 0.1 : 1.0);
            for (int i = 0; i < cw.w[l].length; i++) {
                cw.w[l][i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
            }
        }
        float bias = (float) Math.log(prior / (1 - prior));
        java.util.Arrays.fill(cw.b[cw.b.length - 1], bias);
        return cw;
    }

    /** Wraps existing arrays (not copied), checking their sizes against the spec. */
    public static CtrWeights of(CtrModelSpec spec, float[][] w, float[][] b) {
        int[] widths = spec.layerWidths();
        if (w.length != widths.length - 1 || b.length != widths.length - 1) {
            throw new IllegalArgumentException("expected " + (widths.length - 1) + " layers, got " + w.length + "/" + b.length);
        }
        for (int l = 0; l < w.length; l++) {
            if (w[l].length != widths[l] * widths[l + 1] || b[l].length != widths[l + 1]) {
                throw new IllegalArgumentException("layer " + l + ": expected " + widths[l] + "×" + widths[l + 1]
                        + " weights and " + widths[l + 1] + " biases, got " + w[l].length + " and " + b[l].length);
            }
        }
        return new CtrWeights(spec, w, b);
    }

    public CtrModelSpec spec() {
        return spec;
    }

    public int layers() {
        return w.length;
    }

    /** Layer l's [in, out] row-major weights; live array, the trainer updates it in place. */
    public float[] weights(int layer) {
        return w[layer];
    }

    /** Layer l's biases; live array. */
    public float[] bias(int layer) {
        return b[layer];
    }

    /** A deep copy. */
    public CtrWeights copy() {
        float[][] w2 = new float[w.length][];
        float[][] b2 = new float[b.length][];
        for (int l = 0; l < w.length; l++) {
            w2[l] = w[l].clone();
            b2[l] = b[l].clone();
        }
        return new CtrWeights(spec, w2, b2);
    }
}
