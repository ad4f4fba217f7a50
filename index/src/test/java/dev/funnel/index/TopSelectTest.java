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
                float key = (float) ((r.nextInt(distinct) - distinct / 2) / 7.0); // negatives too
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
            float[] sk = new float[so.length];
            int sm = select.drainDescending(so, sk);
            assertEquals(hm, sm, "round " + round + " k=" + k + " n=" + n);
            assertArrayEquals(java.util.Arrays.copyOf(ho, hm), java.util.Arrays.copyOf(so, sm), "round " + round);
            for (int i = 0; i < hm; i++) {
                assertEquals(hk[i], sk[i], 0.0, "round " + round + " row " + i);
            }
            assertEquals(0, select.size());
        }
    }

    @Test
    void packedRowsCompareAsKeyThenLowerOrdinalAndDecodeExactly() {
        float[] keys = {Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, -1.5f, -Float.MIN_VALUE, 0f, Float.MIN_VALUE, 0.25f,
                1f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
        int[] ords = {0, 1, 7, Integer.MAX_VALUE};
        for (int a = 0; a < keys.length; a++) {
            for (int b = 0; b < keys.length; b++) {
                for (int oa : ords) {
                    for (int ob : ords) {
                        long pa = TopSelect.pack(oa, keys[a]);
                        long pb = TopSelect.pack(ob, keys[b]);
                        boolean better = keys[a] > keys[b] || (keys[a] == keys[b] && oa < ob);
                        assertEquals(better, pa > pb, keys[a] + "/" + oa + " vs " + keys[b] + "/" + ob);
                    }
                }
            }
            assertEquals(keys[a], TopSelect.keyOf(TopSelect.pack(3, keys[a])), 0.0);
            assertEquals(3, ~(int) TopSelect.pack(3, keys[a]));
        }
        // -0 ranks as 0 (ties by ordinal), and decodes as 0
        assertEquals(TopSelect.pack(5, 0f), TopSelect.pack(5, -0f));
    }

    @Test
    void aNanKeyIsNeverKept() {
        TopSelect s = new TopSelect(2);
        s.offer(1, Float.NaN);
        s.offer(2, 0.5f);
        int[] o = new int[2];
        float[] k = new float[2];
        assertEquals(1, s.drainDescending(o, k));
        assertEquals(2, o[0]);
    }
}
