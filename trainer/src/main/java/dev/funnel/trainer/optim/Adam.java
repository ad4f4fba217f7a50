package dev.funnel.trainer.optim;

/**
 * Adam (Kingma and Ba, 2015) with bias correction, for the dense MLP: first and second moment
 * arrays the size of the parameters, one step per mini-batch.
 *
 * @param learningRate step size
 * @param beta1        first-moment decay
 * @param beta2        second-moment decay
 * @param epsilon      denominator guard
 */
public record Adam(double learningRate, double beta1, double beta2, double epsilon) {

    /**
     * Online, on a stream the model's own serving selects, larger steps destabilise the dense part: in
     * ClosedLoopSimTest 3e-3 oscillated (rounds dropping to 0.10 CTR) and 1e-3 reached 0.21 and then
     * collapsed to 0.14 for good; 3e-4 rose steadily to 0.236.
     */
    public static final double DEFAULT_LEARNING_RATE = 3e-4;
    public static final Adam DEFAULT = new Adam(DEFAULT_LEARNING_RATE, 0.9, 0.999, 1e-8);

    public Adam {
        if (!(learningRate > 0) || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || !(epsilon > 0)) {
            throw new IllegalArgumentException("adam: need learningRate > 0, beta1, beta2 in [0,1), epsilon > 0, got " + this);
        }
    }

    /**
     * One step for parameters {@code w} with gradient {@code g} (same length), moments {@code m},
     * {@code v}, at 1-based step {@code t}.
     */
    public void step(float[] w, float[] g, float[] m, float[] v, long t) {
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        double lrT = learningRate * Math.sqrt(c2) / c1;
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        for (int i = 0; i < w.length; i++) {
            float gi = g[i];
            float mi = b1 * m[i] + (1 - b1) * gi;
            float vi = b2 * v[i] + (1 - b2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            w[i] -= (float) (lrT * mi / (Math.sqrt(vi) + epsilon));
        }
    }
}
