package dev.funnel.operators.rerank;

import static dev.funnel.operators.testing.OperatorHarness.params;
import static dev.funnel.operators.testing.OperatorHarness.ranked;
import static dev.funnel.operators.testing.OperatorHarness.request;
import static dev.funnel.operators.testing.OperatorHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.index.ItemStore;
import dev.funnel.operators.testing.MapItemStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScatterRulesRerankTest {

    final ScatterRerank scatter = new ScatterRerank();
    final RulesRerank rules = new RulesRerank();

    final OperatorEnv cats = new OperatorEnv().register(ItemStore.class, new MapItemStore()
            .put(1, "category", "a").put(2, "category", "a").put(3, "category", "a")
            .put(4, "category", "b").put(5, "category", "b").put(6, "category", "c"));

    @Test
    void scatterSpacesOutEqualValues() {
        // window 2, max 1: no two neighbours share a category.
        assertArrayEquals(new long[] {1, 4, 2, 5, 3, 6},
                run(scatter, params(scatter, "window", 2), cats, ranked(1, 2, 3, 4, 5, 6), request("u")).idsCopy());
        // window 3: the last 'a' cannot be placed by the rule and comes last anyway.
        assertArrayEquals(new long[] {1, 4, 6, 2, 5, 3},
                run(scatter, params(scatter, "window", 3), cats, ranked(1, 2, 3, 4, 5, 6), request("u")).idsCopy());
        // max 2 in a window of 3; size cuts.
        assertArrayEquals(new long[] {1, 2, 4, 3},
                run(scatter, params(scatter, "window", 3, "max", 2, "size", 4), cats, ranked(1, 2, 3, 4, 5, 6), request("u")).idsCopy());
    }

    @Test
    void scatterRejectsARuleThatConstrainsNothing() {
        assertThrows(IllegalArgumentException.class, () -> scatter.create(params(scatter, "window", 3, "max", 3), cats));
    }

    @Test
    void rulesBlockThenBoostThenPin() {
        OperatorEnv env = new OperatorEnv().register(ItemStore.class, new MapItemStore()
                .put(1, "category", "news").put(2, "category", "sports")
                .put(3, "category", "news", "status", "offline").put(4, "category", "promo").put(5, "category", "sports"));
        Candidates out = run(rules, params(rules,
                "block", List.of("status=offline"),
                "boost", Map.of("category=sports", 1.5),
                "pin", Map.of("category=promo", 0.0)), env, ranked(1, 2, 3, 4, 5), request("u"));
        // 3 blocked; sports ×1.5: 2 → 1.35, 5 → 0.9; sorted 2, 1, 5, 4; promo 4 pinned first.
        assertArrayEquals(new long[] {4, 2, 1, 5}, out.idsCopy());
        assertEquals(0.7f, out.score(0), 1e-6);
        assertEquals(1.35f, out.score(1), 1e-6);
        assertEquals(0.9f, out.score(3), 1e-6);
    }

    @Test
    void boostSortsByTheBoostedScoreAndKeepsTheOrderOfEqualScores() {
        // Items 100, 105 and 110 (category b) are doubled, landing on scores others already have.
        MapItemStore store = new MapItemStore();
        long[] ids = new long[12];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 100 + i;
            store.put(ids[i], "category", i % 5 == 0 ? "b" : "n");
        }
        float[] scores = {0.5f, 0.9f, 0.8f, 0.5f, 0.5f, 0.45f, 0.9f, 0.2f, 0.1f, 0.5f, 0.25f, 0.3f};
        Candidates in = Candidates.fromSource("rank", ids, scores, ids.length);
        Candidates out = run(rules, params(rules, "boost", Map.of("category=b", 2.0)), new OperatorEnv()
                .register(ItemStore.class, store), in, request("u"));
        // boosted: 100 -> 1.0, 105 -> 0.9, 110 -> 0.5; the ties (101, 105, 106 at 0.9; 103, 104, 109, 110 at 0.5) keep input order
        assertArrayEquals(new long[] {100, 101, 105, 106, 102, 103, 104, 109, 110, 111, 107, 108}, out.idsCopy());
    }

    @Test
    void pinsDoNotDisplaceEachOther() {
        OperatorEnv env = new OperatorEnv().register(ItemStore.class, new MapItemStore()
                .put(1, "category", "x").put(2, "category", "p").put(3, "category", "x").put(4, "category", "q"));
        // q pinned at 2, p at 3: p sits before q in the input but both land where asked.
        Candidates out = run(rules, params(rules, "pin", Map.of("category=q", 2.0, "category=p", 3.0)),
                env, ranked(1, 2, 3, 4), request("u"));
        assertArrayEquals(new long[] {1, 3, 4, 2}, out.idsCopy());
    }

    @Test
    void badRulesAreRejectedWithTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rules.create(params(rules, "boost", Map.of("sports", 2.0)), cats));
        assertTrue(e.getMessage().contains("'sports' must be field=value"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> rules.create(params(rules, "boost", Map.of("category=a", -1.0)), cats));
        assertTrue(e.getMessage().contains("factor > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> rules.create(params(rules, "pin", Map.of("category=a", 1.5)), cats));
        assertTrue(e.getMessage().contains("position"), e.getMessage());
    }
}
