package dev.funnel.index;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TopSelectTest {

    @Test
    void keepsExactlyWhatTheHeapKeepsInTheSameOrderWithTiesByOrdinal() {
        SplittableRandom r = new SplittableRandom(17);
        for (int round = 0; round < 300; round++) {
            int k = 1 + r.nextInt(r.nextBoolean() ? 8 : 700);
            int n = r.nextInt(12_000);
            int distinct = r.nextBoolean() ? 5 : 1_000_000; // many ties, or almost none
            TopK heap = new TopK(k);
            TopSelect select = new TopSelect(k);
            for (int i = 0; i < n; i++) {
                int ord = r.nextInt(1 << 20);
                double key = r.nextInt(distinct) / 7.0;
                // the same filter as the search loops: skip what cannot enter
                heap.offer(ord, key);
                if (key >= select.threshold()) {
                    select.offer(ord, key);
                }
            }
            int[] ho = new int[k];
            double[] hk = new double[k];
            int hm = heap.drainDescending(ho, hk);
            int[] so = new int[Math.max(k, select.size())];
            double[] sk = new double[so.length];
            int sm = select.drainDescending(so, sk);
            assertEquals(hm, sm, "round " + round + " k=" + k + " n=" + n);
            assertArrayEquals(java.util.Arrays.copyOf(ho, hm), java.util.Arrays.copyOf(so, sm), "round " + round);
            assertArrayEquals(java.util.Arrays.copyOf(hk, hm), java.util.Arrays.copyOf(sk, sm), "round " + round);
            assertEquals(0, select.size());
        }
    }
}
