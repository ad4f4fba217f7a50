package dev.funnel.operators.merge;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LongIntMapTest {

    @Test
    void agreesWithHashMapOnRandomKeysIncludingTheSentinel() {
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
}
