package dev.funnel.server.exposure;

import dev.funnel.index.IndexConfig;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.index.ItemStore;
import dev.funnel.server.wiring.FeatureWiring;
import dev.funnel.server.wiring.WiringContext;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimWorld;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads the sim catalog into a forward index for recall.hot when no catalog wiring has registered
 * one (the server's catalog wiring was not on main when these tests were written); a no-op otherwise.
 */
final class TestCatalogWiring implements FeatureWiring {

    @Override
    public void wire(WiringContext ctx) {
        if (ctx.env().find(ItemIndex.class).isPresent()) {
            return;
        }
        SimWorld world = ctx.env().require(SimWorld.class);
        ItemIndex index = new ItemIndex(IndexConfig.of(world.config().dim()), () -> world.config().nowMillis());
        List<ItemRecord> records = new ArrayList<>();
        for (SimItem i : world.items()) {
            records.add(new ItemRecord(i.id(), i.category(), i.author(), i.tags(), i.status(), i.createdAtMillis(),
                    i.popularity(), i.embedding(), Map.of()));
        }
        index.bulkLoad(records);
        ctx.env().register(ItemIndex.class, index).register(ItemStore.class, index);
    }
}
