package dev.funnel.operators.recall;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdScoreAccumulatorTest {

    /**
     * One accumulator reused for many requests of different sizes (growing past its size hint, then
     * small again), in both modes: each request's rows equal a map's, in first-seen order, and no id
     * of an earlier request is seen in a later one.
     */
    @Test
    void reusedAcrossResetsItAgreesWithAMapAndForgetsEarlierRequests() {
        SplittableRandom rnd = new SplittableRandom(5);
        IdScoreAccumulator acc = new IdScoreAccumulator(8, false);
        int[] hints = {600, 10, 3, 2_000, 50, 600, 1};
        Map<Long, Float> previous = Map.of();
        for (int request = 0; request < 60; request++) {
            boolean sum = request % 2 == 1;
            int hint = hints[request % hints.length];
            acc.reset(hint, sum);
            for (long id : previous.keySet()) {
                assertFalse(acc.contains(id), "request " + request + ": id " + id + " of the last request");
            }
            Map<Long, Float> ref = new LinkedHashMap<>();
            int adds = rnd.nextInt(3 * hint + 1); // often more rows than the hint: the table grows
            for (int a = 0; a < adds; a++) {
                long id = a % 17 == 0 ? pick(rnd) : rnd.nextLong(4 * hint + 8) - hint; // repeats, 0 and negatives
                float score = (float) rnd.nextDouble(-1, 1);
                acc.add(id, score);
                ref.merge(id, score, sum ? Float::sum : Math::max);
            }
            assertEquals(ref.size(), acc.size(), "request " + request);
            int row = 0;
            for (Map.Entry<Long, Float> e : ref.entrySet()) {
                assertEquals(e.getKey(), acc.ids()[row], "request " + request + ", row " + row);
                assertEquals(e.getValue(), acc.scores()[row], "request " + request + ", id " + e.getKey());
                assertTrue(acc.contains(e.getKey()));
                row++;
            }
            previous = new HashMap<>(ref);
        }
    }

    private static long pick(SplittableRandom rnd) {
        long[] extremes = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE};
        return extremes[rnd.nextInt(extremes.length)];
    }
}
