package dev.funnel.operators.recall;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.features.profile.ProfileStore;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.ClickCounts;
import dev.funnel.index.CoClickTable;
import dev.funnel.index.ItemIndex;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** recall.inverted, recall.ann, recall.fresh, recall.explore and recall.i2i on a small sim world. */
class RecallOperatorsTest {

    static SimWorld world;
    static ItemIndex index;
    static ProfileStore profiles;
    static CoClickTable coClicks;
    static ClickCounts clickCounts;
    static OperatorEnv env;

    @BeforeAll
    static void setUp() {
        world = SimWorld.generate(SimConfig.small(3));
        index = SimFixtures.index(world);
        profiles = SimFixtures.profiles(world, index);
        coClicks = new CoClickTable();
        for (SimUser u : world.users()) {
            coClicks.addHistory(u.recentClicks());
        }
        clickCounts = new ClickCounts(() -> world.config().nowMillis());
        env = SimFixtures.env(index, profiles).register(CoClickTable.class, coClicks).register(ClickCounts.class, clickCounts);
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void invertedFollowsInterestTagsWithQuotasAndFilters() {
        SimUser u = world.users().get(5);
        UserProfile p = profiles.get(u.id());
        Candidates c = SimFixtures.run(new InvertedRecall(), Map.of("limit", 100, "per_term", 7), env, "interest", p, "r");
        assertTrue(c.size() > 0);
        Map<String, Long> perTag = new java.util.HashMap<>();
        for (long id : c.idsCopy()) {
            SimItem item = world.item(id);
            assertTrue(item.online(), "online_only by default");
            List<String> hit = item.tags().stream().filter(p.interestTags()::containsKey).toList();
            assertFalse(hit.isEmpty(), "item " + id + " shares no tag with " + p.interestTags());
            hit.forEach(t -> perTag.merge(t, 1L, Long::sum));
        }
        // each term contributes at most its quota of its own most popular items
        for (String tag : p.interestTags().keySet()) {
            List<Long> expected = world.items().stream().filter(i -> i.online() && i.tags().contains(tag))
                    .sorted(Comparator.comparingDouble(SimItem::popularity).reversed()).limit(7).map(SimItem::id).toList();
            Set<Long> got = Arrays.stream(c.idsCopy()).boxed().collect(Collectors.toSet());
            assertTrue(got.containsAll(expected), "top 7 of " + tag + " present");
        }
        // pushed-down filter: only one category
        String cat = world.item(c.id(0)).category();
        Candidates f = SimFixtures.run(new InvertedRecall(), Map.of("limit", 100, "filter", Map.of("category", cat)), env, "interest", p, "r");
        for (long id : f.idsCopy()) {
            assertEquals(cat, world.item(id).category());
        }
        // no profile tags: empty but named
        Candidates empty = SimFixtures.run(new InvertedRecall(), Map.of(), env, "interest", UserProfile.unknown("x"), "r");
        assertEquals(0, empty.size());
        assertArrayEquals(new String[] {"interest"}, empty.sources());
    }

    @Test
    void annReturnsTheNearestOnlineItemsToTheUserEmbedding() {
        UserProfile p = profiles.get(world.users().get(9).id());
        Candidates c = SimFixtures.run(new AnnRecall(), Map.of("k", 50, "ef", 200), env, "ann", p, "r");
        List<Long> truth = world.items().stream().filter(SimItem::online)
                .sorted(Comparator.comparingDouble((SimItem i) -> dot(p.embedding(), i.embedding())).reversed())
                .limit(50).map(SimItem::id).toList();
        Set<Long> got = Arrays.stream(c.idsCopy()).boxed().collect(Collectors.toSet());
        long hits = truth.stream().filter(got::contains).count();
        assertTrue(hits >= 47, "recall@50 " + hits + "/50");
        for (long id : c.idsCopy()) {
            assertTrue(world.item(id).online());
        }
        // nprobe: the inverted-file path; this 5k catalog is below the lists' training size, so exact
        Candidates ivf = SimFixtures.run(new AnnRecall(), Map.of("k", 50, "nprobe", 4), env, "ann", p, "r");
        assertEquals(truth, Arrays.stream(ivf.idsCopy()).boxed().toList());
        // a filter narrow enough for exact search gives exactly the brute-force answer
        String cat = world.item(truth.get(0)).category();
        Candidates f = SimFixtures.run(new AnnRecall(), Map.of("k", 20, "filter", Map.of("category", cat)), env, "ann", p, "r");
        List<Long> exact = world.items().stream().filter(i -> i.online() && i.category().equals(cat))
                .sorted(Comparator.comparingDouble((SimItem i) -> dot(p.embedding(), i.embedding())).reversed())
                .limit(20).map(SimItem::id).toList();
        assertEquals(exact, Arrays.stream(f.idsCopy()).boxed().toList());
        // cold start: no embedding, empty list
        assertEquals(0, SimFixtures.run(new AnnRecall(), Map.of(), env, "ann", UserProfile.unknown("x"), "r").size());
        assertThrows(IllegalArgumentException.class, () -> SimFixtures.run(new AnnRecall(), Map.of("k", 100, "ef", 50), env, "ann", p, "r"));
    }

    @Test
    void freshReturnsNewestFirstWithinTheAge() {
        Candidates c = SimFixtures.run(new FreshRecall(), Map.of("limit", 30, "max_age_hours", 48.0), env, "fresh", null, "r");
        long now = world.config().nowMillis();
        List<Long> expected = world.items().stream().filter(i -> i.online() && i.createdAtMillis() >= now - 48 * 3_600_000L)
                .sorted(Comparator.comparingLong(SimItem::createdAtMillis).reversed().thenComparingLong(SimItem::id))
                .limit(30).map(SimItem::id).toList();
        assertEquals(expected, Arrays.stream(c.idsCopy()).boxed().toList());
        for (int i = 1; i < c.size(); i++) {
            assertTrue(c.score(i - 1) >= c.score(i));
        }
    }

    @Test
    void exploreIsRandomPerRequestButReplayable() {
        Candidates a = SimFixtures.run(new ExploreRecall(), Map.of("limit", 40), env, "explore", null, "req-1");
        Candidates again = SimFixtures.run(new ExploreRecall(), Map.of("limit", 40), env, "explore", null, "req-1");
        Candidates b = SimFixtures.run(new ExploreRecall(), Map.of("limit", 40), env, "explore", null, "req-2");
        assertEquals(40, a.size());
        assertArrayEquals(a.idsCopy(), again.idsCopy());
        assertNotEquals(Arrays.stream(a.idsCopy()).boxed().collect(Collectors.toSet()), Arrays.stream(b.idsCopy()).boxed().collect(Collectors.toSet()));
        assertEquals(40, Arrays.stream(a.idsCopy()).distinct().count());
        Candidates cat = SimFixtures.run(new ExploreRecall(), Map.of("limit", 40, "filter", Map.of("category", "c01")), env, "explore", null, "r");
        for (long id : cat.idsCopy()) {
            assertEquals("c01", world.item(id).category());
            assertTrue(world.item(id).online());
        }
    }

    @Test
    void i2iRecallsCoClickedItemsAndLearnsFromFeedback() {
        // a fresh user clicks item X; the users who clicked X also clicked its neighbours
        SimUser someone = world.users().stream().filter(u -> u.recentClicks().length >= 3).findFirst().orElseThrow();
        long x = someone.recentClicks()[1];
        long[] nbIds = new long[10];
        float[] nbWs = new float[10];
        int nb = coClicks.neighbors(x, nbIds, nbWs);
        assertTrue(nb > 0);
        ClickFeedback feedback = new ClickFeedback(profiles, coClicks, clickCounts);
        feedback.onClick("new-user", x, world.config().nowMillis());
        UserProfile p = profiles.get("new-user");
        Candidates c = SimFixtures.run(new I2iRecall(), Map.of("limit", 50), env, "i2i", p, "r");
        Set<Long> got = Arrays.stream(c.idsCopy()).boxed().collect(Collectors.toSet());
        assertFalse(got.contains(x), "already clicked");
        Set<Long> expected = new HashSet<>();
        for (int i = 0; i < nb; i++) {
            if (world.item(nbIds[i]).online()) {
                expected.add(nbIds[i]);
            }
        }
        assertTrue(got.containsAll(expected), got + " ⊇ " + expected);
        for (long id : got) {
            assertTrue(world.item(id).online());
        }
        // a second click pairs with the first: they become each other's neighbours
        long y = world.items().stream().filter(SimItem::online).map(SimItem::id).filter(id -> id != x && !expected.contains(id)).findFirst().orElseThrow();
        feedback.onClick("new-user", y, world.config().nowMillis());
        nb = coClicks.neighbors(y, nbIds, nbWs);
        assertTrue(Arrays.stream(nbIds, 0, nb).anyMatch(id -> id == x));
        // windowed hot ranks the clicked items first
        Candidates hot = SimFixtures.run(new HotRecall(), Map.of("limit", 10, "window_hours", 1.0), env, "hot", null, "r");
        Set<Long> firstTwo = Set.of(hot.id(0), hot.id(1));
        assertEquals(Set.of(x, y).stream().filter(id -> world.item(id).online()).collect(Collectors.toSet()),
                firstTwo.stream().filter(id -> id == x || id == y).collect(Collectors.toSet()));
        assertEquals(10, hot.size(), "filled from prior popularity");
    }
}
