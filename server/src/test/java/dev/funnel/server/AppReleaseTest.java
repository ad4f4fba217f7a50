package dev.funnel.server;

import dev.funnel.model.serving.ModelRuntime;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A closed app leaves nothing of itself reachable: an embedding process (or a test JVM) that starts
 * and closes servers must not keep each one's meters and model tables (about 170 MB at the default
 * table bound) for as long as it runs.
 */
class AppReleaseTest {

    @Test
    void aClosedAppIsCollected() throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts("release-test-token")
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString())
                .withSim(5, 1_000, 100);
        WeakReference<?> registry;
        WeakReference<?> runtime;
        WeakReference<?> app;
        FunnelApp a = FunnelApp.start(config, true, List.of());
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!a.readiness().ready() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(a.readiness().ready(), "catalog loaded");
            registry = new WeakReference<>(a.meterRegistry());
            runtime = new WeakReference<>(a.env().require(ModelRuntime.class));
            app = new WeakReference<>(a);
        } finally {
            a.close();
        }
        a = null; // the only strong reference this test holds
        for (int i = 0; i < 50 && (registry.get() != null || runtime.get() != null || app.get() != null); i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertNull(app.get(), "the closed app is still reachable");
        assertNull(registry.get(), "the closed app's meter registry is still reachable (a listener on a JVM-wide bean?)");
        assertNull(runtime.get(), "the closed app's model runtime (its embedding tables) is still reachable");
    }
}
