package dev.funnel.server.wiring;

import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimWorld;

/**
 * The sim world as the data source: in demo mode, or when {@code catalog.source: sim}, generates
 * it from {@code sim.*} config and registers it as {@link SimWorld} so later wirings (the catalog,
 * profiles) load from it.
 */
public final class SimWorldWiring implements FeatureWiring {

    @Override
    public int order() {
        return 0;
    }

    @Override
    public void wire(WiringContext ctx) {
        boolean wanted = ctx.demo() || "sim".equals(ctx.config().get("catalog.source", ""));
        if (!wanted || ctx.env().find(SimWorld.class).isPresent()) {
            return;
        }
        SimConfig c = SimConfig.DEFAULT.withSeed(ctx.config().simSeed())
                .withSize(ctx.config().simItems(), ctx.config().simUsers());
        ctx.env().register(SimWorld.class, SimWorld.generate(c));
    }

    /**
     * Serving never reads the world once the catalog, profiles and co-clicks are built from it; kept
     * in the environment it would stay live for the process's life (100k items with their vectors
     * and tag lists, 10k users), and a concurrent collector marks all of it in every cycle.
     */
    @Override
    public void afterAll(WiringContext ctx) {
        ctx.env().remove(SimWorld.class);
    }
}
