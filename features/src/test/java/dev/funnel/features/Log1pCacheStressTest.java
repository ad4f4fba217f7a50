package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The memoized log1p must be exactly {@code (float) Math.log1p(x)} under slot collisions (many more
 * distinct values than slots, values differing only in low bits) and many threads sharing it.
 */
class Log1pCacheStressTest {

    @Test
    void memoizedValuesEqualDirectOnesUnderCollisionsAndThreads() throws Exception {
        Log1pCache cache = new Log1pCache();
        double[] values = new double[50_000];
        SplittableRandom rnd = new SplittableRandom(9);
        for (int i = 0; i < values.length; i++) {
            double base = i % 3 == 0 ? rnd.nextDouble() * 1e-3 : rnd.nextDouble() * 1e6;
            values[i] = i % 2 == 0 ? base : Math.nextUp(values[i - 1]); // neighbours one ulp apart
        }
        AtomicInteger wrong = new AtomicInteger();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            int seed = t;
            threads[t] = new Thread(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                for (int k = 0; k < 400_000; k++) {
                    double x = values[r.nextInt(values.length)];
                    if (Float.floatToRawIntBits(cache.log1p(x)) != Float.floatToRawIntBits((float) Math.log1p(x))) {
                        wrong.incrementAndGet();
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, wrong.get());
        assertEquals(Float.floatToRawIntBits((float) Math.log1p(0.0)), Float.floatToRawIntBits(cache.log1p(0.0)));
        assertEquals(Float.floatToRawIntBits((float) Math.log1p(-0.0)), Float.floatToRawIntBits(cache.log1p(-0.0)));
    }
}
