package dev.funnel.engine.route;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BucketsTest {

    @Test
    void murmur3MatchesReferenceVectors() {
        // Reference values of MurmurHash3_x86_32 (Appleby's smhasher / Guava murmur3_32_fixed).
        assertEquals(0, Buckets.murmur3(new byte[0], 0));
        assertEquals(0x514E28B7, Buckets.murmur3(new byte[0], 1));
        assertEquals(0x248bfa47, Buckets.murmur3("hello".getBytes(StandardCharsets.UTF_8), 0));
        assertEquals(0x2e4ff723, Buckets.murmur3("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8), 0));
    }

    @Test
    void bucketIsStableAndInRange() {
        for (int i = 0; i < 1000; i++) {
            String u = "u" + i;
            int b = Buckets.of(u);
            assertTrue(b >= 0 && b < Buckets.COUNT, "bucket " + b);
            assertEquals(b, Buckets.of(new String(u.toCharArray())));
        }
    }

    @Test
    void bucketsSpreadUsersEvenly() {
        int n = 200_000;
        int[] tenths = new int[10];
        for (int i = 0; i < n; i++) {
            tenths[Buckets.of(String.format("u%06d", i)) / (Buckets.COUNT / 10)]++;
        }
        for (int c : tenths) {
            assertTrue(Math.abs(c - n / 10) < n / 100, "uneven split: " + java.util.Arrays.toString(tenths));
        }
    }
}
