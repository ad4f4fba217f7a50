package dev.funnel.bench.index;

import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.features.profile.InProcessProfileStore;
import dev.funnel.features.profile.ProfileConfig;
import dev.funnel.features.profile.ProfileStore;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.ClickCounts;
import dev.funnel.index.CoClickTable;
import dev.funnel.index.IndexConfig;
import dev.funnel.index.IndexSnapshot;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.index.ItemStore;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The default sim world (100k items × 64, as {@code bin/funnel demo} serves it) indexed once per
 * JVM for the operator benchmarks: restored from a snapshot in {@code data/} when present (built
 * and written otherwise), with profiles and co-clicks, and an {@link OperatorEnv} holding the
 * index (as {@link ItemIndex} and {@link ItemStore}), profiles, co-clicks and click counts.
 */
final class SimCatalog {
    final SimWorld world;
    final ItemIndex index;
    final OperatorEnv env;
    final ProfileStore profiles;

    private static SimCatalog shared;

    /** The one catalog of this JVM (an in-process run, {@code -f 0}, builds it once for all benchmarks). */
    static synchronized SimCatalog get() throws Exception {
        if (shared == null) {
            shared = new SimCatalog();
        }
        return shared;
    }

    private SimCatalog() throws Exception {
        SimConfig cfg = SimConfig.DEFAULT;
        world = SimWorld.generate(cfg);
        Path snap = Path.of("data/index-sim" + cfg.seed() + "-" + cfg.items() + "x" + cfg.dim() + ".snap");
        if (Files.exists(snap)) {
            index = IndexSnapshot.read(snap, cfg::nowMillis);
        } else {
            index = new ItemIndex(IndexConfig.of(cfg.dim()), cfg::nowMillis);
            List<ItemRecord> records = new ArrayList<>();
            for (SimItem i : world.items()) {
                records.add(new ItemRecord(i.id(), i.category(), i.author(), i.tags(), i.status(), i.createdAtMillis(),
                        i.popularity(), i.embedding(), Map.of()));
            }
            index.bulkLoad(records);
            IndexSnapshot.write(index, snap);
        }
        profiles = new InProcessProfileStore(index::embedding, ProfileConfig.DEFAULT);
        CoClickTable co = new CoClickTable();
        for (SimUser u : world.users()) {
            profiles.put(new UserProfile(u.id(), Map.of(), u.interestTags(), u.recentClicks(), null, 0));
            co.addHistory(u.recentClicks());
        }
        env = new OperatorEnv().register(ItemIndex.class, index).register(ItemStore.class, index)
                .register(ProfileStore.class, profiles).register(CoClickTable.class, co)
                .register(ClickCounts.class, new ClickCounts(System::currentTimeMillis));
    }

    /** The operator's parameters: its defaults, overridden by {@code given}. */
    static Params params(OperatorFactory f, Map<String, Object> given) {
        Map<String, Object> m = new HashMap<>();
        for (ParamSpec s : f.params().all()) {
            if (s.defaultValue() != null) {
                m.put(s.name(), s.defaultValue());
            }
        }
        m.putAll(given);
        return Params.of(m);
    }

    /** Runs everything on the calling thread at once: the cheapest loop, for operator benchmarks. */
    enum Loop implements LoopScheduler {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
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
