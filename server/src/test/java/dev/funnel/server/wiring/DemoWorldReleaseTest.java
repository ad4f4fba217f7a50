package dev.funnel.server.wiring;

import dev.funnel.index.ItemIndex;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.sim.SimWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoWorldReleaseTest {

    @Test
    void theSimWorldIsLetGoOnceTheDemoIsWiredAndTheCatalogKeepsItsClock(@TempDir Path dags) throws Exception {
        WeakReference<?>[] world = new WeakReference<?>[1];
        long[] simNow = new long[1];
        FeatureWiring peek = ctx -> {
            SimWorld w = ctx.env().require(SimWorld.class); // still there while wirings run
            world[0] = new WeakReference<>(w);
            simNow[0] = w.config().nowMillis();
        };
        try (var yaml = java.nio.file.Files.list(Path.of("..", "dag-configs"))) {
            for (Path f : yaml.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                java.nio.file.Files.copy(f, dags.resolve(f.getFileName()));
            }
        }
        FunnelConfig config = TestServers.config().withEphemeralPorts("release-test-token").withDagsDir(dags.toString()).withSim(7, 2_000, 200);
        try (FunnelApp app = FunnelApp.start(config, true, List.of(peek))) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!app.readiness().ready() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(app.readiness().ready(), "catalog loaded");
            assertTrue(app.env().find(SimWorld.class).isEmpty(), "the environment no longer holds the world");
            ItemIndex index = app.env().require(ItemIndex.class);
            assertEquals(2_000, index.size());
            long[] ids = new long[5];
            float[] scores = new float[5];
            assertEquals(5, index.top(dev.funnel.index.Filter.NONE, dev.funnel.index.ScoreField.FRESHNESS, 5, ids, scores));
            // nothing serving holds the world (the index clock keeps the sim's "now", not the world)
            for (int i = 0; i < 20 && world[0].get() != null; i++) {
                System.gc();
                Thread.sleep(50);
            }
            assertNull(world[0].get(), "the sim world is still reachable from the running server");
        }
    }
}
