package dev.funnel.operators.recall;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.Params;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimWorld;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared hot and fresh lists against a real index: once a writer has called
 * {@link ItemIndex#refreshViews} (what the items API does before it answers), the very next request
 * sees the write — a new item, a changed score, a deletion — with no background refresh to wait for.
 */
class SharedListTest {

    static SimWorld world;

    @BeforeAll
    static void world() {
        world = SimWorld.generate(SimConfig.small(42));
    }

    @SuppressWarnings("unchecked")
    static Operator<Candidates> op(OperatorFactory f, Map<String, Object> given, OperatorEnv env) {
        Map<String, Object> m = new HashMap<>();
        for (dev.funnel.engine.spi.ParamSpec spec : f.params().all()) {
            if (spec.defaultValue() != null) {
                m.put(spec.name(), spec.defaultValue());
            }
        }
        m.putAll(given);
        return (Operator<Candidates>) f.create(Params.of(m), env);
    }

    static Candidates run(Operator<Candidates> op, String node) {
        return op.apply(Inputs.none(node), SimFixtures.request("u000001")).block();
    }

    static float scoreOf(Candidates c, long id) {
        for (int i = 0; i < c.size(); i++) {
            if (c.id(i) == id) {
                return c.score(i);
            }
        }
        return Float.NaN;
    }

    static ItemRecord item(long id, String category, long createdAt, double popularity) {
        return new ItemRecord(id, category, "a0001", List.of("t0001"), "online", createdAt, popularity, null, Map.of());
    }

    @Test
    void hotListShowsNewItemsRescoresAndDeletesRightAfterTheRefresh() {
        ItemIndex index = SimFixtures.index(world);
        OperatorEnv env = SimFixtures.env(index, SimFixtures.profiles(world, index));
        for (Map<String, Object> params : List.<Map<String, Object>>of(Map.of("limit", 30), Map.of("limit", 30, "per_category", 2))) {
            Operator<Candidates> hot = op(new HotRecall(), params, env);
            Candidates before = run(hot, "hot");
            long now = world.config().nowMillis();
            long created = 800_000_000L + params.size();

            index.upsert(item(created, "c01", now, 7_000_000));
            index.refreshViews();
            Candidates afterCreate = run(hot, "hot");
            assertEquals(created, afterCreate.id(0), params + ": a new top item is in the first list after the write");
            assertEquals(7_000_000f, afterCreate.score(0));

            index.upsert(item(created, "c01", now, 5_000_000));
            index.refreshViews();
            assertEquals(5_000_000f, scoreOf(run(hot, "hot"), created), params + ": a changed score is served at once");

            long rescored = before.id(before.size() - 1);
            SimItem s = world.item(rescored);
            index.upsert(new ItemRecord(rescored, s.category(), s.author(), s.tags(), s.status(), s.createdAtMillis(), 6_000_000,
                    s.embedding(), Map.of()));
            index.refreshViews();
            Candidates afterRescore = run(hot, "hot");
            assertEquals(rescored, afterRescore.id(0), params + ": an existing item that now ranks first");
            assertEquals(6_000_000f, afterRescore.score(0));

            index.delete(created);
            index.refreshViews();
            Candidates afterDelete = run(hot, "hot");
            assertFalse(Arrays.stream(afterDelete.idsCopy()).anyMatch(id -> id == created));
            assertEquals(before.size(), afterDelete.size(), params + ": the list is full again (not only re-checked)");
            index.upsert(SimFixtures.record(s)); // as before, for the next params
            index.refreshViews();
        }
    }

    @Test
    void freshListShowsANewItemRightAfterTheRefresh() {
        ItemIndex index = SimFixtures.index(world);
        OperatorEnv env = SimFixtures.env(index, SimFixtures.profiles(world, index));
        Operator<Candidates> fresh = op(new FreshRecall(), Map.of("limit", 20, "max_age_hours", 48.0), env);
        Candidates before = run(fresh, "fresh");
        assertTrue(before.size() > 0);
        long id = 800_000_100L;
        index.upsert(item(id, "c02", world.config().nowMillis(), 1));
        index.refreshViews();
        Candidates after = run(fresh, "fresh");
        assertEquals(id, after.id(0), "the newest item leads the first list after the write");
    }
}
