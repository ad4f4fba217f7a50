package dev.funnel.exposure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The item hash is part of the stored format (snapshots, the filters in Redis): however its loops
 * are written, it must give the bits it always gave.
 */
class BloomLayoutHashTest {

    @Test
    void hashAndMasksAreTheStoredFormatsMixAndPatterns() {
        BloomLayout layout = BloomLayout.longTerm(ExposureConfig.DEFAULT);
        long[] patterns = BloomLayout.patterns(layout.k);
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 1000;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i < 10 ? i - 5 : rnd.nextLong();
        }
        long[] hashes = new long[n];
        long[] masks1 = new long[n];
        long[] masks2 = new long[n];
        layout.hash(ids, n, hashes, masks1, masks2);
        for (int i = 0; i < n; i++) {
            long h = BloomLayout.mix(ids[i] * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
            long m = h * 0xD6E8FEB86659FD93L;
            assertEquals(h, hashes[i], "hash of " + ids[i]);
            assertEquals(patterns[(int) (m >>> 52)], masks1[i], "first mask of " + ids[i]);
            assertEquals(patterns[(int) (m >>> 40) & (BloomLayout.PATTERNS - 1)], masks2[i], "second mask of " + ids[i]);
            assertEquals(layout.k, Long.bitCount(masks1[i]));
        }
        // Pinned: a change of mix() or of a constant would change every stored filter.
        long[] one = new long[1];
        long[] m1 = new long[1];
        long[] m2 = new long[1];
        layout.hash(new long[] {42}, 1, one, m1, m2);
        assertEquals(0x8E05EA8484E9E692L, one[0]);
        assertEquals(0x000000A00C000002L, m1[0]);
        assertEquals(0x0000400420004100L, m2[0]);
    }
}
