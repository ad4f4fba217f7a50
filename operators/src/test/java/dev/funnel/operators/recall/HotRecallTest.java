package dev.funnel.operators.recall;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.Params;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimWorld;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HotRecallTest {

    static SimWorld world;

    @BeforeAll
    static void world() {
        world = SimWorld.generate(SimConfig.small(42));
    }

    static Params params(Map<String, Object> given) {
        Map<String, Object> m = new HashMap<>();
        for (dev.funnel.engine.spi.ParamSpec spec : new HotRecall().params().all()) {
            if (spec.defaultValue() != null) {
                m.put(spec.name(), spec.defaultValue());
            }
        }
        m.putAll(given);
        return Params.of(m);
    }

    static final Map<Object, Operator<Candidates>> OPS = new java.util.IdentityHashMap<>();

    /** Runs the node; one operator per (env, params), as a compiled DAG keeps one per node. */
    @SuppressWarnings("unchecked")
    static Candidates run(OperatorEnv env, Map<String, Object> given) {
        Operator<Candidates> op = OPS.computeIfAbsent(List.of(env, given).toString().intern(),
                k -> (Operator<Candidates>) new HotRecall().create(params(given), env));
        return op.apply(Inputs.none("hot"), SimFixtures.request("u000001")).block();
    }

    @Test
    void returnsTheMostPopularOnlineItemsWithProvenance() {
        ItemIndex index = SimFixtures.index(world);
        Candidates c = run(SimFixtures.env(index, SimFixtures.profiles(world, index)), Map.of("limit", 50));
        long[] expected = world.items().stream().filter(SimItem::online)
                .sorted(Comparator.comparingDouble(SimItem::popularity).reversed()).limit(50).mapToLong(SimItem::id).toArray();
        assertArrayEquals(expected, c.idsCopy());
        assertArrayEquals(new String[] {"hot"}, c.sources());
        assertArrayEquals(new String[] {"hot"}, c.sourceNames(0));
        assertEquals((float) world.item(expected[0]).popularity(), c.score(0));
    }

    @Test
    void perCategoryCapsEachCategoryAndKeepsTheBestOfEach() {
        ItemIndex index = SimFixtures.index(world);
        Candidates c = run(SimFixtures.env(index, SimFixtures.profiles(world, index)), Map.of("limit", 1000, "per_category", 3));
        Map<String, Long> perCat = java.util.Arrays.stream(c.idsCopy()).boxed()
                .collect(Collectors.groupingBy(id -> world.item(id).category(), Collectors.counting()));
        assertEquals(world.config().categories(), perCat.size());
        assertTrue(perCat.values().stream().allMatch(n -> n == 3), perCat.toString());
        for (int i = 1; i < c.size(); i++) {
            assertTrue(c.score(i - 1) >= c.score(i), "sorted by popularity");
        }
    }

    @Test
    void filterIsPushedDownAndUpdatesShowOnTheNextRequest() {
        ItemIndex index = SimFixtures.index(world);
        OperatorEnv env = SimFixtures.env(index, SimFixtures.profiles(world, index));
        Map<String, Object> p = Map.of("limit", 20, "filter", Map.of("category", List.of("c03")));
        Candidates before = run(env, p);
        assertEquals(20, before.size());
        for (long id : before.idsCopy()) {
            assertEquals("c03", world.item(id).category());
            assertTrue(world.item(id).online());
        }
        // a new item that beats everything appears next time; a deleted one disappears
        SimItem top = world.item(before.id(0));
        index.upsert(new ItemRecord(999_999, "c03", "a0001", List.of("t0001"), "online", world.config().nowMillis(), 5.0, top.embedding(), Map.of()));
        index.delete(before.id(1));
        // The deleted item is gone from the very next response (a stale shared list is re-checked);
        // the new one appears once the background refresh has run.
        Candidates after = run(env, p);
        for (int i = 0; i < 100_000 && after.id(0) != 999_999; i++) {
            assertTrue(java.util.Arrays.stream(after.idsCopy()).noneMatch(id -> id == before.id(1)), "deleted item served");
            Thread.yield();
            after = run(env, p);
        }
        assertEquals(999_999, after.id(0));
        assertEquals(before.id(0), after.id(1));
        long deleted = before.id(1);
        assertTrue(java.util.Arrays.stream(after.idsCopy()).noneMatch(id -> id == deleted));
    }

    @Test
    void badFilterFailsAtCreate() {
        ItemIndex index = SimFixtures.index(world);
        OperatorEnv env = SimFixtures.env(index, SimFixtures.profiles(world, index));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HotRecall().create(params(Map.of("filter", Map.of("colour", "red"))), env));
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
    }
}
