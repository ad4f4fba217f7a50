package dev.funnel.server.serving;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long-running server takes DAG uploads, routing uploads and checks for as long as it runs: each
 * compiles every DAG anew (operators, their catalog views, width levels), so whatever a compile
 * leaves behind adds up. After many, the swapped-out DAGs are collected and the threads and meters
 * are what they were.
 */
class RepeatedSwapsTest {

    private static final int SWAPS = 200;

    @Test
    void swapsAndChecksLeaveNoThreadsMetersOrOldDagsBehind(@TempDir Path dags) throws Exception {
        try (Stream<Path> s = Files.list(Path.of("..", "dag-configs"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Files.copy(f, dags.resolve(f.getFileName()));
            }
        }
        FunnelConfig config = TestServers.config().withEphemeralPorts("swap-test-token").withDagsDir(dags.toString())
                .withSim(5, 1_000, 100);
        String home = Files.readString(dags.resolve("home_feed.yaml"));
        String routing = Files.readString(dags.resolve("routing.yaml"));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (FunnelApp app = FunnelApp.start(config, true)) {
            long readyBy = System.nanoTime() + 60_000_000_000L; // the catalog loads (and registers its meters) in the background
            while (!app.readiness().ready() && System.nanoTime() < readyBy) {
                Thread.sleep(20);
            }
            assertTrue(app.readiness().ready(), "catalog loaded");
            LiveConfig live = app.live();
            for (int i = 0; i < 10; i++) { // lazily started pools reach their size first
                swap(live, home, routing);
            }
            int threadsBefore = threads.getThreadCount();
            long metersBefore = funnelMeters(app);
            WeakReference<CompiledDag> first = new WeakReference<>(live.replaceDag("home_feed.yaml", home, "home_feed"));
            for (int i = 0; i < SWAPS; i++) {
                swap(live, home, routing);
            }
            for (int i = 0; i < 50 && first.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertNull(first.get(), "a swapped-out DAG is still reachable after " + SWAPS + " swaps");
            assertEquals(metersBefore, funnelMeters(app), "meters registered per swap");
            int threadsAfter = threads.getThreadCount();
            // Slack for pool threads that come and go (the common pool); a thread per swap would be hundreds.
            assertTrue(threadsAfter <= threadsBefore + 8, "threads before " + threadsBefore + ", after " + SWAPS
                    + " swaps " + threadsAfter);
        }
    }

    /** Ours only: the JVM's GC meters gain a series for each new GC cause, System.gc() included. */
    private static long funnelMeters(FunnelApp app) {
        return app.meterRegistry().getMeters().stream().filter(m -> m.getId().getName().startsWith("funnel.")).count();
    }

    private static void swap(LiveConfig live, String dag, String routing) throws Exception {
        assertTrue(live.checkDag("home_feed.yaml", dag).isEmpty(), "the shipped DAG checks clean");
        live.replaceDag("home_feed.yaml", dag, "home_feed");
        live.replaceRouting("routing.yaml", routing);
    }
}
