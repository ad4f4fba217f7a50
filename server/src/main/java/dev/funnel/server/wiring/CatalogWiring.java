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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The item catalog: registers the forward index as {@link ItemIndex} and {@link ItemStore}. With the
 * sim world (demo, or {@code catalog.source: sim}) it restores the catalog from a snapshot of the
 * same world when one exists ({@code catalog.snapshot}: a file, or a directory ending in '/';
 * {@code funnel demo} uses {@code data/}), else bulk-loads the sim catalog on a background thread (building the vector graph
 * takes minutes for 100k items on two cores), writes the snapshot, and opens the {@value #GATE}
 * readiness gate. Without the sim the catalog is the {@code item-updates} stream's: the learning
 * loop's consumer replays it and opens the gate once caught up ({@code streams.transport: off}: the
 * index starts empty and the gate opens at once; items come from {@code PUT /v1/items}).
 */
public final class CatalogWiring implements FeatureWiring {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogWiring.class);

    /** Config key: snapshot file, or directory ending in '/', for the sim catalog; empty (default) for none. */
    public static final String SNAPSHOT_KEY = "catalog.snapshot";

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
        if (world == null) {
            ItemIndex index = new ItemIndex(IndexConfig.of(dim), System::currentTimeMillis);
            ctx.env().register(ItemIndex.class, index).register(ItemStore.class, index);
            if ("off".equals(ctx.config().get("streams.transport", "chronicle"))) {
                // No stream to replay: the catalog is what PUT /v1/items sends from now on.
                LOG.warn("no catalog source and streams.transport off: the catalog starts empty; items arrive through"
                        + " PUT /v1/items");
                ctx.readiness().open(GATE);
            } else {
                LOG.info("catalog: from the item-updates stream; gate '{}' opens when its replay has caught up", GATE);
            }
            return;
        }
        long simNowMillis = world.config().nowMillis();
        LongSupplier simNow = () -> simNowMillis; // the sim's fixed "now" (not the world: serving lets go of it)
        Path snapshot = snapshotPath(ctx.config().get(SNAPSHOT_KEY, ""), world, dim);
        ItemIndex restored = snapshot == null ? null : restore(snapshot, simNow, world);
        if (restored != null) {
            ctx.env().register(ItemIndex.class, restored).register(ItemStore.class, restored);
            ctx.readiness().open(GATE);
            return;
        }
        ItemIndex index = new ItemIndex(IndexConfig.of(dim), simNow);
        ctx.env().register(ItemIndex.class, index).register(ItemStore.class, index);
        Thread loader = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                index.bulkLoad(records(world));
                ctx.readiness().open(GATE);
                LOG.info("catalog: {} sim items loaded in {} ms", index.size(), (System.nanoTime() - t0) / 1_000_000);
            } catch (RuntimeException e) {
                LOG.error("catalog load failed; /health/ready stays 503", e);
                return;
            }
            if (snapshot != null) {
                try {
                    long bytes = IndexSnapshot.write(index, snapshot);
                    LOG.info("catalog snapshot written to {} ({} MB); the next start restores it", snapshot, bytes >> 20);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not write catalog snapshot {}: {}", snapshot, e.toString());
                }
            }
        }, "funnel-catalog-load");
        loader.setDaemon(true);
        loader.start();
    }

    /** A directory (trailing '/') gets a file named after the world, so another world never restores it. */
    private static Path snapshotPath(String snap, SimWorld world, int dim) {
        if (snap.isBlank()) {
            return null;
        }
        Path p = Path.of(snap);
        if (!snap.endsWith("/") && !Files.isDirectory(p)) {
            return p;
        }
        return p.resolve("sim-catalog-s" + world.config().seed() + "-n" + world.config().items()
                + "-u" + world.config().users() + "-d" + dim + ".snap");
    }

    /** The snapshot's index when it holds exactly this world's catalog, else null (and a log line why). */
    private static ItemIndex restore(Path snapshot, LongSupplier clock, SimWorld world) {
        if (!Files.isRegularFile(snapshot)) {
            return null;
        }
        long t0 = System.nanoTime();
        try {
            ItemIndex index = IndexSnapshot.read(snapshot, clock);
            if (!sameCatalog(index, world)) {
                LOG.warn("catalog snapshot {} does not match the sim world; rebuilding", snapshot);
                return null;
            }
            LOG.info("catalog: {} items restored from {} in {} ms", index.size(), snapshot, (System.nanoTime() - t0) / 1_000_000);
            return index;
        } catch (IOException | RuntimeException e) {
            LOG.warn("catalog snapshot {} unusable ({}); rebuilding", snapshot, e.toString());
            return null;
        }
    }

    private static boolean sameCatalog(ItemIndex index, SimWorld world) {
        int live = 0;
        for (SimItem i : world.items()) {
            live++;
            if (i.id() % 997 == 1 && (index.popularity(i.id()) != i.popularity() || !i.category().equals(index.category(i.id())))) {
                return false;
            }
        }
        return index.size() == live;
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
