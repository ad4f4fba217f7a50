package dev.funnel.server.wiring;

import dev.funnel.index.IndexConfig;
import dev.funnel.index.IndexSnapshot;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.index.ItemStore;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimWorld;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The item catalog: registers the forward index as {@link ItemIndex} and {@link ItemStore}. With the
 * sim world (demo, or {@code catalog.source: sim}) it bulk-loads the sim catalog on a background
 * thread and opens the {@value #GATE} readiness gate when done; otherwise the index starts empty
 * and the gate stays closed until a catalog source opens it.
 */
public final class CatalogWiring implements FeatureWiring {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogWiring.class);

    /** The readiness gate of a loaded catalog. */
    public static final String GATE = "catalog";

    @Override
    public int order() {
        return 10;
    }

    @Override
    public void wire(WiringContext ctx) {
        ctx.readiness().register(GATE);
        SimWorld world = ctx.env().find(SimWorld.class).orElse(null);
        int dim = world != null ? world.config().dim() : Integer.parseInt(ctx.config().get("index.dim", "64"));
        ItemIndex index = world != null
                ? new ItemIndex(IndexConfig.of(dim), () -> world.config().nowMillis()) // the sim's fixed "now"
                : new ItemIndex(IndexConfig.of(dim), System::currentTimeMillis);
        ctx.env().register(ItemIndex.class, index).register(ItemStore.class, index);
        if (world == null) {
            LOG.warn("no catalog source configured: the index starts empty and /health/ready waits for gate '{}'", GATE);
            return;
        }
        // index.snapshot: restore from it when present (no graph rebuild), else build and write it
        String snapshot = ctx.config().get("index.snapshot",
                "data/index-sim" + world.config().seed() + "-" + world.config().items() + "x" + dim + ".snap");
        java.nio.file.Path snapshotPath = snapshot.equals("none") ? null : java.nio.file.Path.of(snapshot);
        java.util.concurrent.atomic.AtomicBoolean loaded = new java.util.concurrent.atomic.AtomicBoolean();
        if (snapshotPath != null) {
            // keep item updates made since start; never overwrite a good snapshot with a half-loaded index
            ctx.onClose(() -> {
                if (loaded.get()) {
                    IndexSnapshot.write(index, snapshotPath);
                }
            });
        }
        Thread loader = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                if (!restored(index, snapshotPath)) {
                    index.bulkLoad(records(world));
                    if (snapshotPath != null) {
                        IndexSnapshot.write(index, snapshotPath);
                        LOG.info("catalog snapshot written to {}", snapshotPath);
                    }
                }
                loaded.set(true);
                ctx.readiness().open(GATE);
                LOG.info("catalog: {} sim items loaded in {} ms", index.size(), (System.nanoTime() - t0) / 1_000_000);
            } catch (RuntimeException | java.io.IOException e) {
                LOG.error("catalog load failed; /health/ready stays 503", e);
            }
        }, "funnel-catalog-load");
        loader.setDaemon(true);
        loader.start();
    }

    private static boolean restored(ItemIndex index, java.nio.file.Path snapshot) {
        if (snapshot == null || !java.nio.file.Files.exists(snapshot)) {
            return false;
        }
        try {
            IndexSnapshot.restoreInto(index, snapshot);
            LOG.info("catalog restored from snapshot {}", snapshot);
            return true;
        } catch (java.io.IOException e) {
            LOG.warn("snapshot {} unusable, rebuilding from the sim world: {}", snapshot, e.getMessage());
            return false;
        }
    }

    static List<ItemRecord> records(SimWorld world) {
        List<ItemRecord> records = new ArrayList<>(world.items().size());
        for (SimItem i : world.items()) {
            records.add(new ItemRecord(i.id(), i.category(), i.author(), i.tags(), i.status(), i.createdAtMillis(),
                    i.popularity(), i.embedding(), Map.of()));
        }
        return records;
    }
}
