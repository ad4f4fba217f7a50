package dev.funnel.operators.recall;

import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.features.profile.InProcessProfileStore;
import dev.funnel.features.profile.ProfileConfig;
import dev.funnel.features.profile.ProfileStore;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.IndexConfig;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.index.ItemStore;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sim → index/profile conversion the server's demo wiring does, plus a request harness for
 * operator tests. The same ten lines live in the server's wiring.
 */
public final class SimFixtures {

    private SimFixtures() {
    }

    public static ItemRecord record(SimItem i) {
        return new ItemRecord(i.id(), i.category(), i.author(), i.tags(), i.status(), i.createdAtMillis(), i.popularity(),
                i.embedding(), Map.of());
    }

    public static ItemIndex index(SimWorld world) {
        ItemIndex index = new ItemIndex(IndexConfig.of(world.config().dim()), () -> world.config().nowMillis());
        List<ItemRecord> records = new ArrayList<>(world.items().size());
        for (SimItem i : world.items()) {
            records.add(record(i));
        }
        index.bulkLoad(records);
        return index;
    }

    public static UserProfile profile(SimUser u) {
        return new UserProfile(u.id(), Map.of("age_bucket", u.ageBucket(), "gender", u.gender(), "country", u.country()),
                u.interestTags(), u.recentClicks(), null, 0);
    }

    public static ProfileStore profiles(SimWorld world, ItemIndex index) {
        ProfileStore store = new InProcessProfileStore(index::embedding, ProfileConfig.DEFAULT);
        for (SimUser u : world.users()) {
            store.put(profile(u));
        }
        return store;
    }

    public static OperatorEnv env(ItemIndex index, ProfileStore profiles) {
        return new OperatorEnv().register(ItemIndex.class, index).register(ItemStore.class, index).register(ProfileStore.class, profiles);
    }

    /** Runs a recall operator with these params (schema defaults filled in) on one request. */
    @SuppressWarnings("unchecked")
    public static dev.funnel.engine.spi.Candidates run(dev.funnel.engine.spi.OperatorFactory f, Map<String, Object> given, OperatorEnv env,
                                                       String nodeId, UserProfile profile, String requestId) {
        java.util.Map<String, Object> m = new java.util.HashMap<>();
        for (dev.funnel.engine.spi.ParamSpec spec : f.params().all()) {
            if (spec.defaultValue() != null) {
                m.put(spec.name(), spec.defaultValue());
            }
        }
        m.putAll(given);
        dev.funnel.engine.spi.Operator<dev.funnel.engine.spi.Candidates> op =
                (dev.funnel.engine.spi.Operator<dev.funnel.engine.spi.Candidates>) f.create(dev.funnel.engine.spi.Params.of(m), env);
        Inputs in = profile == null ? Inputs.none(nodeId) : inputs(nodeId, profile);
        return op.apply(in, RequestContext.builder().requestId(requestId).userId(profile == null ? "anon" : profile.userId())
                .scene("home").count(10).loop(DirectLoop.INSTANCE).timing(0, Long.MAX_VALUE).build()).block();
    }

    public static RequestContext request(String userId) {
        return RequestContext.builder().requestId("r1").userId(userId).scene("home").count(10).loop(DirectLoop.INSTANCE)
                .timing(0, Long.MAX_VALUE).build();
    }

    public static Inputs inputs(String nodeId, UserProfile profile) {
        return new Inputs(nodeId, new String[] {"profile"}, new Object[] {profile});
    }

    /** A loop that runs everything at once on the caller; time stands still. */
    enum DirectLoop implements LoopScheduler {
        INSTANCE;

        @Override
        public long nanoTime() {
            return 0;
        }

        @Override
        public Cancellable schedule(long delayNanos, Runnable task) {
            task.run();
            return () -> { };
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public boolean inLoop() {
            return true;
        }
    }
}
