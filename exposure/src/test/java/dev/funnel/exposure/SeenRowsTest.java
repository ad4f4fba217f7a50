package dev.funnel.exposure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SeenRowsTest {

    @Test
    void unseenRowsAreTheRowsNotSeenInOrderAndNoRowPastTheSize() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int size : new int[] {0, 1, 63, 64, 65, 130, 5000}) {
            long[] bits = new long[SeenRows.words(size)];
            for (int i = 0; i < size; i++) {
                if (rnd.nextInt(5) == 0) {
                    bits[i >>> 6] |= 1L << i;
                }
            }
            SeenRows rows = new SeenRows(bits, size, false);
            int[] expected = IntStream.range(0, size).filter(i -> !rows.isSeen(i)).toArray();
            int[] out = new int[size - rows.seenCount()];
            int n = rows.unseenRows(out);
            assertEquals(expected.length, n, "size " + size);
            assertArrayEquals(expected, out, "size " + size);
        }
    }

    @Test
    void aFailedOpenAnswerHasEveryRowUnseen() {
        SeenRows rows = SeenRows.failOpen(70);
        int[] out = new int[70];
        assertEquals(70, rows.unseenRows(out));
        assertArrayEquals(IntStream.range(0, 70).toArray(), out);
    }
}
