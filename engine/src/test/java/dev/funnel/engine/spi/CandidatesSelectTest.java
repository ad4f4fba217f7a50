package dev.funnel.engine.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Candidates#select}: the chosen rows in the given order, with ids, scores and provenance —
 * also through chains of selects and truncations, which share their first list's provenance.
 */
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

    /** Row r of {@code out} is row i of {@code in}: same id, mask and every source's score (bit for bit, NaN too). */
    private static void assertSameItem(Candidates in, int i, Candidates out, int r) {
        assertEquals(in.id(i), out.id(r));
        assertEquals(in.sourceMask(i), out.sourceMask(r));
        for (int j = 0; j < in.sources().length; j++) {
            assertEquals(Float.floatToIntBits(in.sourceScore(i, j)), Float.floatToIntBits(out.sourceScore(r, j)),
                    "row " + r + " source " + j);
        }
    }

    @Test
    void selectKeepsIdsScoresAndEverySourceOfTheChosenRowsInOrder() {
        Candidates c = threeSources();
        int[] rows = {4, 0, 5, 2};
        Candidates s = c.select(rows, 3);
        assertEquals(3, s.size());
        assertSame(c.sources(), s.sources());
        for (int r = 0; r < 3; r++) {
            assertEquals(c.score(rows[r]), s.score(r));
            assertSameItem(c, rows[r], s, r);
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

    @Test
    void aSelectOfASelectKeepsTheOriginalRowsProvenance() {
        Candidates c = threeSources();
        Candidates first = c.select(new int[] {5, 4, 2, 0, 1}, 5, new float[] {1, 2, 3, 4, 5});
        Candidates second = first.select(new int[] {3, 0, 4}, 3);
        Candidates third = second.truncate(2).select(new int[] {1, 0}, 2);
        int[] originalRows = {5, 0}; // third[0] = second[1] = first[0] = c[5]; third[1] = second[0] = first[3] = c[0]
        assertEquals(2, third.size());
        for (int r = 0; r < 2; r++) {
            assertSameItem(c, originalRows[r], third, r);
            assertArrayEquals(c.sourceNames(originalRows[r]), third.sourceNames(r));
        }
        assertEquals(1f, third.score(0), "scores travel with the rows: first gave c[5] 1");
        assertEquals(4f, third.score(1));
    }

    @Test
    void truncateIsAPrefixOfTheSameRows() {
        Candidates c = threeSources().select(new int[] {3, 1, 2}, 3);
        Candidates t = c.truncate(2);
        assertEquals(2, t.size());
        assertSame(c.idsView(), t.idsView(), "a prefix needs no copy: lists are never written");
        for (int r = 0; r < 2; r++) {
            assertEquals(c.id(r), t.id(r));
            assertEquals(c.score(r), t.score(r));
            assertEquals(c.sourceMask(r), t.sourceMask(r));
            assertEquals(Float.floatToIntBits(c.sourceScore(r, 2)), Float.floatToIntBits(t.sourceScore(r, 2)));
        }
        assertArrayEquals(new long[] {103, 101}, t.idsCopy());
        assertSame(c, c.truncate(3));
        assertEquals(0, c.truncate(0).size());
    }

    @Test
    void ofSourceTakesTheArraysAndItsSourceScoresAreTheScores() {
        long[] ids = {5, 6, 7, 0};
        float[] scores = {0.5f, 0.6f, 0.7f, 0f};
        Candidates c = Candidates.ofSource("ann", ids, scores, 3);
        assertEquals(3, c.size());
        assertSame(ids, c.idsView());
        assertArrayEquals(new String[] {"ann"}, c.sources());
        for (int i = 0; i < 3; i++) {
            assertEquals(1L, c.sourceMask(i));
            assertEquals(scores[i], c.sourceScore(i, 0));
            assertArrayEquals(new String[] {"ann"}, c.sourceNames(i));
        }
        Candidates s = c.select(new int[] {1}, 1, new float[] {9f});
        assertEquals(9f, s.score(0));
        assertEquals(0.6f, s.sourceScore(0, 0), "the source's score, not the new stage's");
        assertThrows(IllegalArgumentException.class, () -> Candidates.ofSource("ann", ids, scores, 5));
    }

    @Test
    void fromSourceCopiesWhatItIsGiven() {
        long[] ids = {5, 6};
        float[] scores = {0.5f, 0.6f};
        Candidates c = Candidates.fromSource("hot", ids, scores, 2);
        ids[0] = 99;
        scores[0] = 9f;
        assertEquals(5, c.id(0));
        assertEquals(0.5f, c.score(0));
        assertEquals(0.5f, c.sourceScore(0, 0));
    }
}
