package dev.funnel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VectorMathTest {

    @Test
    void dot2IsTwoDotsBitForBit() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] out = new float[3];
        for (int n = 0; n <= 70; n++) { // every tail length, and the demo's 64
            for (int trial = 0; trial < 20; trial++) {
                float[] q = random(rnd, n + rnd.nextInt(3)); // the query may be longer than n
                float[] a = random(rnd, n);
                float[] b = random(rnd, n);
                VectorMath.dot2(q, a, b, n, out, 1);
                assertEquals(Float.floatToRawIntBits(VectorMath.dot(q, 0, a, 0, n)), Float.floatToRawIntBits(out[1]),
                        "a, n " + n);
                assertEquals(Float.floatToRawIntBits(VectorMath.dot(q, 0, b, 0, n)), Float.floatToRawIntBits(out[2]),
                        "b, n " + n);
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // Mixed magnitudes, so a different summation order would show in the low bits.
            v[i] = (float) (rnd.nextDouble(-1, 1) * Math.pow(10, rnd.nextInt(-3, 4)));
        }
        return v;
    }
}
