package dev.funnel.server.wiring;

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
import dev.funnel.operators.recall.ClickFeedback;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The item index and what recall reads beside it: registers {@link ItemIndex} (also as
 * {@link ItemStore}), {@link ProfileStore}, {@link CoClickTable}, {@link ClickCounts} and the
 * {@link ClickFeedback} hook the feedback path calls for every click.
 *
 * <p>Catalog source: the snapshot at {@code index.snapshot} when that file exists (restored with its
 * graph, no rebuild); otherwise, in demo mode, the sim world's catalog (then written to
 * {@code index.snapshot} when set). The snapshot is written again at shutdown. Outside demo mode the
 * catalog starts empty (dimension {@code index.dim}, default 64) and fills through item updates.
 * In demo mode profiles and the co-click table are fed from the sim users' histories.
 */
public final class IndexWiring implements FeatureWiring {

    private static final Logger LOG = LoggerFactory.getLogger(IndexWiring.class);

    @Override
    public int order() {
        return 10; // after the sim world (0), before stores and their users that read items
    }

    @Override
    public void wire(WiringContext ctx) throws Exception {
        SimWorld world = ctx.env().find(SimWorld.class).orElse(null);
        String snapshot = ctx.config().get("index.snapshot", null);
        Path snapshotPath = snapshot == null ? null : Path.of(snapshot);
        // Demo: the sim world's fixed "now", so "created within 24h" means something in its catalog.
        LongSupplier clock = world != null ? world.config()::nowMillis : System::currentTimeMillis;

        ItemIndex index;
        long t0 = System.nanoTime();
        if (snapshotPath != null && Files.exists(snapshotPath)) {
            index = IndexSnapshot.read(snapshotPath, clock);
            LOG.info("index restored from {}: {} items in {} ms", snapshotPath, index.size(), (System.nanoTime() - t0) / 1_000_000);
        } else {
            int dim = world != null ? world.config().dim() : parseDim(ctx.config().get("index.dim", "64"));
            index = new ItemIndex(IndexConfig.of(dim), clock);
            if (world != null) {
                index.bulkLoad(records(world));
                LOG.info("index built from the sim world: {} items in {} ms", index.size(), (System.nanoTime() - t0) / 1_000_000);
                if (snapshotPath != null) {
                    IndexSnapshot.write(index, snapshotPath);
                }
            }
        }
        if (snapshotPath != null) {
            ItemIndex toSave = index;
            ctx.onClose(() -> IndexSnapshot.write(toSave, snapshotPath));
        }

        ProfileStore profiles = new InProcessProfileStore(index::embedding, ProfileConfig.DEFAULT);
        CoClickTable coClicks = new CoClickTable();
        if (world != null) {
            for (SimUser u : world.users()) {
                profiles.put(profile(u));
                coClicks.addHistory(u.recentClicks());
            }
        }
        ClickCounts clickCounts = new ClickCounts(System::currentTimeMillis);
        ctx.env().register(ItemIndex.class, index)
                .register(ItemStore.class, index)
                .register(ProfileStore.class, profiles)
                .register(CoClickTable.class, coClicks)
                .register(ClickCounts.class, clickCounts)
                .register(ClickFeedback.class, new ClickFeedback(profiles, coClicks, clickCounts));
    }

    /** The sim catalog as index records. */
    public static List<ItemRecord> records(SimWorld world) {
        List<ItemRecord> out = new ArrayList<>(world.items().size());
        for (SimItem i : world.items()) {
            out.add(new ItemRecord(i.id(), i.category(), i.author(), i.tags(), i.status(), i.createdAtMillis(),
                    i.popularity(), i.embedding(), Map.of()));
        }
        return out;
    }

    /** What a profile store knows about a sim user (never the hidden taste). */
    public static UserProfile profile(SimUser u) {
        return new UserProfile(u.id(), Map.of("age_bucket", u.ageBucket(), "gender", u.gender(), "country", u.country()),
                u.interestTags(), u.recentClicks(), null, 0);
    }

    private static int parseDim(String v) {
        try {
            int d = Integer.parseInt(v.trim());
            if (d > 0) {
                return d;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("index.dim must be a whole number > 0, got '" + v + "'", e);
        }
        throw new IllegalArgumentException("index.dim must be > 0, got " + v);
    }
}
