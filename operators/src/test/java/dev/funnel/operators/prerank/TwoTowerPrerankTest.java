package dev.funnel.operators.prerank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemStore;
import dev.funnel.operators.recall.SimFixtures;
import dev.funnel.operators.testing.MapItemStore;
import dev.funnel.operators.testing.OperatorHarness;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimWorld;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TwoTowerPrerankTest {

    private static final SimWorld WORLD = SimWorld.generate(SimConfig.small(7));
    private static final ItemIndex INDEX = SimFixtures.index(WORLD);
    private final TwoTowerPrerank factory = new TwoTowerPrerank();

    @Test
    void keepsTheTopByDotProductAgainstABruteForceSort() {
        float[] user = WORLD.users().get(3).taste();
        long[] ids = IntStream.rangeClosed(1, 3000).mapToLong(i -> i).toArray();
        Candidates in = Candidates.fromSource("merge", ids, new float[ids.length], ids.length);
        Candidates out = run(in, user, 50);
        Long[] boxed = Arrays.stream(ids).boxed().toArray(Long[]::new);
        Arrays.sort(boxed, Comparator.comparingDouble((Long id) -> -TwoTowerPrerank.dot(user, INDEX.embedding(id)))
                .thenComparingLong(id -> id));
        assertEquals(50, out.size());
        for (int i = 0; i < 50; i++) {
            assertEquals(boxed[i], out.id(i), "rank " + i);
            assertEquals(TwoTowerPrerank.dot(user, INDEX.embedding(out.id(i))), out.score(i), 1e-6);
        }
        assertEquals("merge", out.sources()[0], "provenance kept");
    }

    @Test
    void withoutAUserVectorTheListIsCutInItsOrder() {
        Candidates in = OperatorHarness.ranked(5, 4, 3, 2, 1);
        Candidates out = run(in, null, 3);
        assertEquals(3, out.size());
        assertEquals(5, out.id(0));
        assertEquals(3, out.id(2));
        assertEquals(in.score(1), out.score(1));
    }

    @Test
    void itemsWithoutAVectorGoLast() {
        MapItemStore items = new MapItemStore().embed(1, 1f, 0f).embed(2, 0f, 1f).put(3);
        Candidates in = OperatorHarness.ranked(3, 1, 2);
        Candidates out = TwoTowerPrerank.prerank(in, new float[] {-0.5f, -0.2f}, items, 3);
        assertEquals(2, out.id(0));
        assertEquals(1, out.id(1));
        assertEquals(3, out.id(2));
        assertEquals(TwoTowerPrerank.MISSING_SCORE, out.score(2));
    }

    private Candidates run(Candidates in, float[] user, int keep) {
        OperatorEnv env = new OperatorEnv().register(ItemStore.class, INDEX);
        UserProfile p = new UserProfile("u1", Map.of(), Map.of(), new long[0], user, 0);
        Inputs inputs = new Inputs("prerank", new String[] {"seen", "profile"}, new Object[] {in, p});
        Candidates out = OperatorHarness.run(factory, OperatorHarness.params(factory, "keep", keep), env, inputs,
                OperatorHarness.request("u1"));
        assertTrue(out.size() <= keep);
        return out;
    }
}
