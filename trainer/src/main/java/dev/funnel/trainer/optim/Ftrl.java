package dev.funnel.trainer.optim;

/**
 * FTRL-Proximal (McMahan et al., "Ad Click Prediction: a View from the Trenches", 2013), per
 * coordinate. State per coordinate is {@code z} and {@code n}; the weight is derived lazily, so rows
 * with no signal stay exactly zero (L1 gives sparsity).
 *
 * @param alpha  learning-rate scale
 * @param beta   learning-rate smoothing
 * @param l1     L1 strength
 * @param l2     L2 strength
 */
public record Ftrl(double alpha, double beta, double l1, double l2) {

    public static final double DEFAULT_ALPHA = 0.05;
    public static final double DEFAULT_BETA = 1.0;
    public static final double DEFAULT_L1 = 0.5;
    public static final double DEFAULT_L2 = 1.0;
    public static final Ftrl DEFAULT = new Ftrl(DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_L1, DEFAULT_L2);

    public Ftrl {
        if (!(alpha > 0) || beta < 0 || l1 < 0 || l2 < 0) {
            throw new IllegalArgumentException("ftrl: need alpha > 0 and beta, l1, l2 >= 0, got " + this);
        }
    }

    /** The weight of coordinate i, from {@code z[zOff + i]} and {@code n[nOff + i]}. */
    public float weight(float z, float n) {
        if (Math.abs(z) <= l1) {
            return 0f;
        }
        return (float) (-(z - Math.signum(z) * l1) / ((beta + Math.sqrt(n)) / alpha + l2));
    }

    /**
     * Applies gradient {@code g} to the coordinate whose state is {@code state[zi]} (z) and
     * {@code state[ni]} (n).
     */
    public void update(float[] state, int zi, int ni, float g) {
        float z = state[zi];
        float n = state[ni];
        float w = weight(z, n);
        double n2 = n + (double) g * g;
        double sigma = (Math.sqrt(n2) - Math.sqrt(n)) / alpha;
        state[zi] = (float) (z + g - sigma * w);
        state[ni] = (float) n2;
    }
}
