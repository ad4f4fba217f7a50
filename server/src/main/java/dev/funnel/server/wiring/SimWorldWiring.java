package dev.funnel.server.wiring;

import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimWorld;

/**
 * Demo mode: generates the sim world from {@code sim.*} config and registers it as
 * {@link SimWorld} so later wirings (the catalog, profiles) load from it. Does nothing outside demo.
 */
public final class SimWorldWiring implements FeatureWiring {

    @Override
    public int order() {
        return 0;
    }

    @Override
    public void wire(WiringContext ctx) {
        if (!ctx.demo() || ctx.env().find(SimWorld.class).isPresent()) {
            return;
        }
        SimConfig c = SimConfig.DEFAULT.withSeed(ctx.config().simSeed())
                .withSize(ctx.config().simItems(), ctx.config().simUsers());
        ctx.env().register(SimWorld.class, SimWorld.generate(c));
    }
}
