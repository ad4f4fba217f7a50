package dev.funnel.trainer.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimizersTest {

    /** Logistic regression on one feature that is positive 80% of the time: w → logit(0.8). */
    @Test
    void ftrlConvergesToTheLogOddsAndKeepsUselessCoordinatesAtZero() {
        Ftrl ftrl = new Ftrl(0.1, 1, 0.0, 0.0);
        float[] state = new float[4];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < 50_000; i++) {
            double p = 1 / (1 + Math.exp(-ftrl.weight(state[0], state[1])));
            int y = r.nextDouble() < 0.8 ? 1 : 0;
            ftrl.update(state, 0, 1, (float) (p - y));
        }
        assertEquals(Math.log(4), ftrl.weight(state[0], state[1]), 0.1);
        Ftrl sparse = new Ftrl(0.1, 1, 5.0, 0.0);
        sparse.update(state, 2, 3, 0.3f);
        assertEquals(0f, sparse.weight(state[2], state[3]), "L1 keeps a weak coordinate at exactly zero");
        assertThrows(IllegalArgumentException.class, () -> new Ftrl(0, 1, 0, 0));
    }

    @Test
    void adaGradAndAdamMinimiseAQuadratic() {
        float[] w = {5f, -3f};
        float[] acc = {0.1f, 0.1f};
        AdaGrad ada = new AdaGrad(0.5, 1e-8, 0.1);
        float[] g = new float[2];
        for (int i = 0; i < 2_000; i++) {
            g[0] = 2 * (w[0] - 1);
            g[1] = 2 * (w[1] + 2);
            ada.update(w, 0, acc, 0, g, 0, 2);
        }
        assertEquals(1f, w[0], 0.05f);
        assertEquals(-2f, w[1], 0.05f);

        float[] x = {5f, -3f};
        float[] m = new float[2];
        float[] v = new float[2];
        Adam adam = new Adam(0.05, 0.9, 0.999, 1e-8);
        for (int t = 1; t <= 3_000; t++) {
            g[0] = 2 * (x[0] - 1);
            g[1] = 2 * (x[1] + 2);
            adam.step(x, g, m, v, t);
        }
        assertEquals(1f, x[0], 0.05f);
        assertEquals(-2f, x[1], 0.05f);
        assertTrue(acc[0] > 0.1f);
    }
}
