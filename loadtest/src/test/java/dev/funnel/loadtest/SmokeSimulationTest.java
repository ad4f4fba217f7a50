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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CI's load test: starts a real Funnel in demo mode (a small sim world, the shipped dag-configs
 * with deadlines ×{@value #DEADLINE_FACTOR}) on free ports, runs {@link SmokeSimulation} against its TLS port in a Gatling JVM of its own,
 * and checks that Gatling's assertions passed, that its report was written, and that the server
 * itself counted the requests (so the load really reached it). About 25 s.
 */
class SmokeSimulationTest {
    private static final int SIM_ITEMS = 5_000;
    private static final int SIM_USERS = 500;
    private static final int RATE = 20;
    private static final int SECONDS = 6;
    /** Plumbing, not speed: CI machines are shared and both JVMs are cold. */
    private static final int P99_MILLIS = 5_000;
    /**
     * Every deadline of the shipped DAGs is multiplied by this for the smoke: on a starved CI
     * machine the 60 ms home_feed misses deadlines, and a request whose ranker and its fallback
     * both missed is a 503 {@code dag_failed} by the DAG's own policy. The smoke checks plumbing
     * (TLS, h2, the JSON contract, every operator of the shipped DAGs, feedback), not latency.
     */
    private static final int DEADLINE_FACTOR = 10;
    private static final int WARMUP_MILLIS = 3_000;
    private static final double MAX_ERROR_PERCENT = Double.parseDouble(System.getProperty("smoke.maxErrorPercent", "2"));

    @Test
    void smokeSimulationPassesAgainstARealServer(@org.junit.jupiter.api.io.TempDir Path dags) throws Exception {
        copyWithScaledDeadlines(dagConfigs(), dags);
        FunnelConfig config = ConfigLoader.load(null, Map.of(
                "FUNNEL_HTTP_HOST", "127.0.0.1",
                "FUNNEL_HTTP_PORT", "0",
                "FUNNEL_HTTPS_PORT", "0",
                "FUNNEL_DAGS_DIR", dags.toString(),
                "FUNNEL_ADMIN_TOKEN", "smoke-test-token",
                "FUNNEL_SIM_ITEMS", Integer.toString(SIM_ITEMS),
                "FUNNEL_SIM_USERS", Integer.toString(SIM_USERS),
                // The server's own warm-up (over TLS, as Gatling comes), so JIT warm-up is not what the smoke measures.
                "FUNNEL_WARMUP_MS", Integer.toString(WARMUP_MILLIS)));
        Path results = Path.of("target", "gatling-smoke");
        try (FunnelApp app = FunnelApp.start(config, true)) {
            awaitReady(app); // the catalog loaded and the warm-up done
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // what gatling-maven-plugin gives Gatling's JVM on Java 17
                    "-Xmx512m", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:MaxInlineLevel=20", "-XX:MaxTrivialSize=12",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    "-Dtarget=https://127.0.0.1:" + app.httpsPort(),
                    "-Drate=" + RATE, "-DdurationSeconds=" + SECONDS, "-Dp99Millis=" + P99_MILLIS,
                    "-DmaxErrorPercent=" + MAX_ERROR_PERCENT,
                    "-DsimItems=" + SIM_ITEMS, "-DsimUsers=" + SIM_USERS,
                    "io.gatling.app.Gatling",
                    "-s", SmokeSimulation.class.getName(),
                    "-rf", results.toAbsolutePath().toString()));
            Process gatling = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(gatling.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(gatling.waitFor(120, TimeUnit.SECONDS), "Gatling finished");
            assertEquals(0, gatling.exitValue(), () -> "Gatling failed (2 = assertions failed):\n" + out);
            assertTrue(out.contains("percentage of failed events is less than or equal to " + MAX_ERROR_PERCENT + " : true"), out);
            assertFalse(out.matches("(?s).*> feedback +\\| +\\d+ \\| +\\d+ \\| +[1-9].*"), () -> "feedback calls failed:\n" + out);

            long served = app.meterRegistry().find("funnel.http.requests").tag("endpoint", "recommend").tag("status", "200")
                    .timers().stream().mapToLong(Timer::count).sum();
            assertTrue(served >= RATE * SECONDS * (1 - MAX_ERROR_PERCENT / 100), "the server answered " + served
                    + " recommends with 200, expected about " + RATE * SECONDS);
        }
        assertTrue(reportWritten(results), "a Gatling report under " + results);
    }

    /** The catalog loads in the background after start; the simulation must not race it. */
    private static void awaitReady(FunnelApp app) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!app.readiness().ready()) {
            assertTrue(System.nanoTime() < until, "server not ready after 90 s: " + app.readiness());
            Thread.sleep(20);
        }
    }

    /** The shipped DAG files and routing, every {@code deadline_ms: N} made {@code N × DEADLINE_FACTOR}. */
    private static void copyWithScaledDeadlines(Path from, Path to) throws IOException {
        java.util.regex.Pattern deadline = java.util.regex.Pattern.compile("deadline_ms:\\s*(\\d+)");
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                String yaml = Files.readString(f);
                String scaled = deadline.matcher(yaml)
                        .replaceAll(m -> "deadline_ms: " + Long.parseLong(m.group(1)) * DEADLINE_FACTOR);
                Files.writeString(to.resolve(f.getFileName()), scaled);
            }
        }
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
