package dev.funnel.operators.rerank;

import static dev.funnel.operators.testing.OperatorHarness.params;
import static dev.funnel.operators.testing.OperatorHarness.ranked;
import static dev.funnel.operators.testing.OperatorHarness.request;
import static dev.funnel.operators.testing.OperatorHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.index.ItemStore;
import dev.funnel.operators.testing.MapItemStore;
import org.junit.jupiter.api.Test;

/**
 * MMR and DPP on lists small enough to work out by hand (worked values in the comments).
 */
class DiversityRerankTest {

    final MmrRerank mmr = new MmrRerank();
    final DppRerank dpp = new DppRerank();

    /** Items 1 and 2 are duplicates (same embedding), 3 is orthogonal; scores 1.0, 0.9, 0.8 → rel 1, 0.5, 0. */
    final OperatorEnv duplicates = new OperatorEnv().register(ItemStore.class,
            new MapItemStore().embed(1, 1, 0).embed(2, 2, 0).embed(3, 0, 3));

    /** Items at 0°, 60° and 90°, equal scores. */
    final OperatorEnv angles = new OperatorEnv().register(ItemStore.class,
            new MapItemStore().embed(1, 1, 0).embed(2, 0.5f, 0.8660254f).embed(3, 0, 1));

    static Candidates equalScores() {
        return Candidates.fromSource("rank", new long[] {1, 2, 3}, new float[] {0.5f, 0.5f, 0.5f}, 3);
    }

    @Test
    void mmrTradesRelevanceAgainstSimilarity() {
        // lambda 0.5: second pick 2 → 0.5*0.5 - 0.5*1 = -0.25, 3 → 0 - 0 = 0: item 3.
        assertArrayEquals(new long[] {1, 3},
                run(mmr, params(mmr, "lambda", 0.5, "size", 2), duplicates, ranked(1, 2, 3), request("u")).idsCopy());
        // lambda 0.9: 2 → 0.45 - 0.1 = 0.35 beats 3 → 0: the ranked order.
        assertArrayEquals(new long[] {1, 2},
                run(mmr, params(mmr, "lambda", 0.9, "size", 2), duplicates, ranked(1, 2, 3), request("u")).idsCopy());
        // size 3 at lambda 0.5 puts the duplicate last.
        assertArrayEquals(new long[] {1, 3, 2},
                run(mmr, params(mmr, "lambda", 0.5, "size", 3), duplicates, ranked(1, 2, 3), request("u")).idsCopy());
        // Equal scores: after 0°, 90° (cos 0) beats 60° (cos 0.5).
        assertArrayEquals(new long[] {1, 3, 2},
                run(mmr, params(mmr, "lambda", 0.5, "size", 3), angles, equalScores(), request("u")).idsCopy());
    }

    @Test
    void mmrKeepsScoresAndHandlesItemsWithoutEmbeddings() {
        Candidates out = run(mmr, params(mmr, "lambda", 0.5, "size", 5), duplicates, ranked(1, 9, 2, 3), request("u"));
        // 9 has no embedding: similar to nothing. Picks: 1; then 9 (0.5*rel .667=.333) vs 3 (0) vs 2 (.167-.5) → 9; then 3; then 2.
        assertArrayEquals(new long[] {1, 9, 3, 2}, out.idsCopy());
        assertArrayEquals(new float[] {1.0f, 0.9f, 0.7f, 0.8f}, out.scoresCopy());
    }

    @Test
    void dppPicksTheDiverseSetAndFillsWhenNothingDiverseIsLeft() {
        // After 1, the duplicate 2 has no gain left (d² = q2² - q2² = 0), 3 keeps d² = q3² = 1: 3 is next;
        // then 2's gain is still 0 < eps: the page is filled in ranked order.
        assertArrayEquals(new long[] {1, 3, 2},
                run(dpp, params(dpp, "theta", 0.5, "size", 3), duplicates, ranked(1, 2, 3), request("u")).idsCopy());
        // Equal q: after 0°, d²(60°) = q²(1 - 0.25), d²(90°) = q²: 90° first.
        assertArrayEquals(new long[] {1, 3, 2},
                run(dpp, params(dpp, "theta", 0.5, "size", 3), angles, equalScores(), request("u")).idsCopy());
        assertArrayEquals(new long[] {1, 3},
                run(dpp, params(dpp, "size", 2), angles, equalScores(), request("u")).idsCopy());
    }

    @Test
    void dppWithHighThetaFollowsRelevance() {
        // theta 0.99 → alpha 49.5: q1/q2 = e^(49.5*0.5) so large that... 2 is a duplicate of 1 and still
        // has no gain; with 60° instead: d²(2) = q2²·0.75, d²(3) = q3², q2 = e^24.75 ≫ q3 = 1 → 2 first.
        OperatorEnv env = new OperatorEnv().register(ItemStore.class,
                new MapItemStore().embed(1, 1, 0).embed(2, 0.5f, 0.8660254f).embed(3, 0, 1));
        assertArrayEquals(new long[] {1, 2, 3},
                run(dpp, params(dpp, "theta", 0.99, "size", 3), env, ranked(1, 2, 3), request("u")).idsCopy());
    }
}
