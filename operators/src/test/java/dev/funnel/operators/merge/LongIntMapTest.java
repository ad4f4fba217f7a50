package dev.funnel.operators.merge;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LongIntMapTest {

    @Test
    void agreesWithHashMapOnRandomKeysIncludingExtremeOnes() {
        SplittableRandom rnd = new SplittableRandom(7);
        LongIntMap m = new LongIntMap(5_000);
        Map<Long, Integer> ref = new HashMap<>();
        long[] specials = {Long.MIN_VALUE, 0, -1, Long.MAX_VALUE};
        for (long k : specials) {
            m.put(k, ref.size());
            ref.put(k, ref.size());
        }
        while (ref.size() < 5_000) {
            long k = rnd.nextLong(20_000) - 10_000;
            if (!ref.containsKey(k)) {
                m.put(k, ref.size());
                ref.put(k, ref.size());
            }
        }
        for (long k = -12_000; k < 12_000; k++) {
            assertEquals(ref.getOrDefault(k, -1), m.get(k), "key " + k);
        }
        for (long k : specials) {
            assertEquals(ref.get(k), m.get(k));
        }
    }

    @Test
    void aClearedMapForgetsEveryKeyAndIsReusedAtAnySize() {
        SplittableRandom rnd = new SplittableRandom(11);
        LongIntMap m = new LongIntMap(16);
        int[] sizes = {10, 1_000, 3, 4_000, 700, 0, 2_500, 1};
        Map<Long, Integer> previous = new HashMap<>();
        for (int round = 0; round < 40; round++) {
            int n = sizes[round % sizes.length];
            m.clear(n);
            for (long k : previous.keySet()) { // the last round's keys, gone without a write to them
                assertEquals(-1, m.get(k), "round " + round + ": stale key " + k);
            }
            Map<Long, Integer> ref = new HashMap<>();
            while (ref.size() < n) {
                long k = rnd.nextLong(6_000) - 3_000; // overlaps the last round's keys
                if (!ref.containsKey(k)) {
                    m.put(k, round * 10_000 + ref.size());
                    ref.put(k, round * 10_000 + ref.size());
                }
            }
            for (long k = -3_500; k < 3_500; k++) {
                assertEquals(ref.getOrDefault(k, -1), m.get(k), "round " + round + ", key " + k);
            }
            previous = ref;
        }
    }
}
