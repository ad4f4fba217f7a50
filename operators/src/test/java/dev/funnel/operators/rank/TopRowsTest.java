package dev.funnel.operators.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link TopRows} against a full sort: best score first, ties to the earlier row, NaN as -infinity. */
class TopRowsTest {

    @Test
    void keepsTheBestRowsInOrderAsAFullSortDoes() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] specials = {0f, -0f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0.5f, -1f};
        for (int round = 0; round < 400; round++) {
            int n = rnd.nextInt(1500);
            int k = 1 + rnd.nextInt(round % 4 == 0 ? n + 5 : Math.max(1, n / 3 + 1));
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                int kind = rnd.nextInt(10);
                scores[i] = kind == 0 ? specials[rnd.nextInt(specials.length)]
                        : kind < 4 ? rnd.nextInt(8) / 8f // ties
                        : (float) rnd.nextGaussian();
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Comparator<Integer> best = Comparator.comparingDouble((Integer i) -> Float.isNaN(scores[i])
                    ? Float.NEGATIVE_INFINITY : scores[i] + 0f).reversed().thenComparing(i -> i);
            Arrays.sort(order, best);
            int m = Math.min(k, n);
            int[] expectedRows = new int[m];
            for (int i = 0; i < m; i++) {
                expectedRows[i] = order[i];
            }
            TopRows top = new TopRows(k);
            int[] offers = shuffled(n, rnd); // the order offered must not matter
            for (int i : offers) {
                top.offer(i, scores[i]);
            }
            int[] rows = new int[m];
            float[] kept = new float[m];
            assertEquals(m, top.drainDescending(rows, kept), "round " + round);
            assertArrayEquals(expectedRows, rows, "round " + round + ": n=" + n + " k=" + k);
            for (int i = 0; i < m; i++) {
                float s = scores[rows[i]];
                assertEquals(Float.isNaN(s) ? Float.NEGATIVE_INFINITY : s + 0f, kept[i], "round " + round + " row " + rows[i]);
            }
        }
    }

    private static int[] shuffled(int n, SplittableRandom rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
