package dev.funnel.loadtest;

import dev.funnel.server.ConfigLoader;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CI's load test: starts a real Funnel in demo mode (a small sim world, the shipped dag-configs)
 * on free ports, runs {@link SmokeSimulation} against its TLS port in a Gatling JVM of its own,
 * and checks that Gatling's assertions passed, that its report was written, and that the server
 * itself counted the requests (so the load really reached it). About 25 s.
 */
class SmokeSimulationTest {
    private static final int SIM_ITEMS = 5_000;
    private static final int SIM_USERS = 500;
    private static final int RATE = 20;
    private static final int SECONDS = 6;

    @Test
    void smokeSimulationPassesAgainstARealServer() throws Exception {
        FunnelConfig config = ConfigLoader.load(null, Map.of(
                "FUNNEL_HTTP_HOST", "127.0.0.1",
                "FUNNEL_HTTP_PORT", "0",
                "FUNNEL_HTTPS_PORT", "0",
                "FUNNEL_DAGS_DIR", dagConfigs().toString(),
                "FUNNEL_ADMIN_TOKEN", "smoke-test-token",
                "FUNNEL_SIM_ITEMS", Integer.toString(SIM_ITEMS),
                "FUNNEL_SIM_USERS", Integer.toString(SIM_USERS)));
        Path results = Path.of("target", "gatling-smoke");
        try (FunnelApp app = FunnelApp.start(config, true)) {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    "-Dtarget=https://127.0.0.1:" + app.httpsPort(),
                    "-Drate=" + RATE, "-DdurationSeconds=" + SECONDS,
                    "-DsimItems=" + SIM_ITEMS, "-DsimUsers=" + SIM_USERS,
                    "io.gatling.app.Gatling",
                    "-s", SmokeSimulation.class.getName(),
                    "-rf", results.toAbsolutePath().toString()));
            Process gatling = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(gatling.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(gatling.waitFor(120, TimeUnit.SECONDS), "Gatling finished");
            assertEquals(0, gatling.exitValue(), () -> "Gatling failed (2 = assertions failed):\n" + out);
            assertTrue(out.contains("percentage of failed events is less than or equal to 0.0 : true"), out);

            long served = app.meterRegistry().find("funnel.http.requests").tag("endpoint", "recommend").tag("status", "200")
                    .timers().stream().mapToLong(Timer::count).sum();
            assertTrue(served >= RATE * SECONDS * 0.9, "the server answered " + served + " recommends, expected about " + RATE * SECONDS);
        }
        assertTrue(reportWritten(results), "a Gatling report under " + results);
    }

    private static Path dagConfigs() {
        Path p = Path.of("..", "dag-configs").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(p.resolve("routing.yaml")), "shipped configs at " + p);
        return p;
    }

    private static boolean reportWritten(Path results) throws IOException {
        try (Stream<Path> s = Files.walk(results, 2)) {
            return s.anyMatch(f -> f.getFileName().toString().equals("index.html")
                    && f.getParent().getFileName().toString().startsWith("smokesimulation-"));
        }
    }
}
