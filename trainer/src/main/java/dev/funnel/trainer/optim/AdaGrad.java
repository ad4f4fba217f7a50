package dev.funnel.trainer.optim;

/**
 * AdaGrad for embedding rows: each coordinate's step is {@code lr / sqrt(sum of its squared
 * gradients + eps)}, so rare ids keep large steps and frequent ids settle.
 *
 * @param learningRate base step
 * @param epsilon      added under the square root
 * @param initialAccumulator starting value of the squared-gradient sum
 */
public record AdaGrad(double learningRate, double epsilon, double initialAccumulator) {

    public static final double DEFAULT_LEARNING_RATE = 0.05;
    public static final double DEFAULT_EPSILON = 1e-8;
    public static final double DEFAULT_INITIAL_ACCUMULATOR = 0.1;
    public static final AdaGrad DEFAULT = new AdaGrad(DEFAULT_LEARNING_RATE, DEFAULT_EPSILON, DEFAULT_INITIAL_ACCUMULATOR);

    public AdaGrad {
        if (!(learningRate > 0) || epsilon < 0 || initialAccumulator < 0) {
            throw new IllegalArgumentException("adagrad: need learningRate > 0 and epsilon, initialAccumulator >= 0, got " + this);
        }
    }

    /**
     * Updates {@code dim} weights at {@code w[wOff..]} with accumulators at {@code acc[accOff..]}
     * (same array allowed) by gradient {@code g[gOff..]}.
     */
    public void update(float[] w, int wOff, float[] acc, int accOff, float[] g, int gOff, int dim) {
        for (int i = 0; i < dim; i++) {
            float gi = g[gOff + i];
            float a = acc[accOff + i] + gi * gi;
            acc[accOff + i] = a;
            w[wOff + i] -= (float) (learningRate * gi / Math.sqrt(a + epsilon));
        }
    }
}
