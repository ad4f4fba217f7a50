package dev.funnel.engine.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Candidates#select}: the chosen rows in the given order, with ids, scores and provenance. */
class CandidatesSelectTest {

    private static Candidates threeSources() {
        Candidates.Builder b = Candidates.builder(new String[] {"a", "b", "c"}, 8);
        for (int i = 0; i < 6; i++) {
            int row = b.add(100 + i, i, i % 3, 10 * i + (i % 3));
            if (i % 2 == 0) {
                b.mark(row, (i + 1) % 3, 1000 + i);
            }
        }
        return b.build();
    }

    @Test
    void selectKeepsIdsScoresAndEverySourceOfTheChosenRowsInOrder() {
        Candidates c = threeSources();
        int[] rows = {4, 0, 5, 2};
        Candidates s = c.select(rows, 3);
        assertEquals(3, s.size());
        assertSame(c.sources(), s.sources());
        for (int r = 0; r < 3; r++) {
            int i = rows[r];
            assertEquals(c.id(i), s.id(r));
            assertEquals(c.score(i), s.score(r));
            assertEquals(c.sourceMask(i), s.sourceMask(r));
            for (int j = 0; j < 3; j++) {
                assertEquals(Float.floatToIntBits(c.sourceScore(i, j)), Float.floatToIntBits(s.sourceScore(r, j)),
                        "row " + r + " source " + j);
            }
        }
        assertTrue(Float.isNaN(s.sourceScore(0, 0)), "a source that did not find the item stays NaN");
    }

    @Test
    void selectWithNewScoresTakesThemInRowOrder() {
        Candidates c = threeSources();
        Candidates s = c.select(new int[] {3, 1}, 2, new float[] {7f, 8f, 9f});
        assertEquals(103, s.id(0));
        assertEquals(7f, s.score(0));
        assertEquals(101, s.id(1));
        assertEquals(8f, s.score(1));
        assertEquals(c.sourceScore(1, 1), s.sourceScore(1, 1));
    }

    @Test
    void selectOfOneSourceListCopiesItsSourceScores() {
        Candidates c = Candidates.fromSource("hot", new long[] {5, 6, 7}, new float[] {0.5f, 0.6f, 0.7f}, 3);
        Candidates s = c.select(new int[] {2, 0}, 2);
        assertEquals(7, s.id(0));
        assertEquals(0.7f, s.sourceScore(0, 0));
        assertEquals(0.5f, s.sourceScore(1, 0));
        assertEquals(1L, s.sourceMask(1));
    }
}
