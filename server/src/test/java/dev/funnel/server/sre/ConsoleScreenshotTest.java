package dev.funnel.server.sre;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Loads the console in headless Chromium (Debian's {@code chromium}) against a real server with
 * traffic, checks the rendered DOM shows the home_feed graph with live numbers, and saves a
 * screenshot to {@code target/console.png} (copied to {@code ops/console.png} for the README).
 */
class ConsoleScreenshotTest {

    static final Path SCREENSHOT = Path.of("target", "console.png").toAbsolutePath();

    @Test
    void theConsoleShowsTheHomeFeedGraphWithLiveNumbers(@TempDir Path tmp) throws Exception {
        String chromium = chromium();
        assumeTrue(chromium != null, "chromium is not installed (apt-get install -y chromium); console browser test skipped");
        Path dags = Files.createDirectories(tmp.resolve("dags"));
        try (SreServerFixture server = new SreServerFixture(dags)) {
            for (int i = 0; i < 60; i++) {
                server.recommend(String.format("u%06d", i), 10);
            }
            // A broken edit of one file: the console must show its file:line while the rest serves.
            Path slow = dags.resolve("slow_branch.yaml");
            Files.writeString(slow, Files.readString(slow).replace("limit: 100", "limt: 100"));
            long t0 = System.nanoTime();
            while (!server.get("/admin/reload", true).body().contains("\"state\":\"failed\"")) {
                assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the broken edit was never reported");
                Thread.sleep(20);
            }
            String url = server.base() + "/console/?token=" + SreServerFixture.TOKEN;
            String dom = run(chromium, tmp, "--dump-dom", url);
            assertTrue(dom.contains("data-loaded=\"true\""), "the page never loaded its data:\n" + head(dom));
            assertTrue(dom.contains("data-dag=\"home_feed\""), "no home_feed graph:\n" + head(dom));
            for (String node : List.of("hot", "hot_wide", "hot_niche", "ann", "merge", "top")) {
                assertTrue(dom.contains("data-node=\"" + node + "\""), "graph lacks node " + node);
            }
            assertTrue(dom.contains("class=\"reload-error\"") && dom.contains("slow_branch.yaml:8: ")
                    && dom.contains("limt"), "the console does not show the reload error with file:line:\n" + head(dom));
            Matcher m = Pattern.compile("data-node=\"merge\" data-p50=\"([0-9.]+)\" data-p99=\"([0-9.]+)\" data-count=\"([0-9]+)\"")
                    .matcher(dom);
            assertTrue(m.find(), "merge node has no numbers:\n" + head(dom));
            assertTrue(Double.parseDouble(m.group(2)) > 0 && Long.parseLong(m.group(3)) >= 60,
                    "merge p99=" + m.group(2) + " count=" + m.group(3));

            Files.deleteIfExists(SCREENSHOT);
            Files.createDirectories(SCREENSHOT.getParent());
            run(chromium, tmp, "--screenshot=" + SCREENSHOT, url);
            assertTrue(Files.size(SCREENSHOT) > 10_000, "screenshot too small: " + Files.size(SCREENSHOT));
            byte[] png = Files.readAllBytes(SCREENSHOT);
            assertEquals((byte) 0x89, png[0]);
            assertEquals('P', png[1]);
        }
    }

    private static String run(String chromium, Path tmp, String mode, String url) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + tmp.resolve("chromium-profile"),
                "--window-size=1900,1250", "--virtual-time-budget=4000", mode, url));
        Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("chromium.log").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 60 s");
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + readLog(tmp));
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String readLog(Path tmp) {
        try {
            return Files.readString(tmp.resolve("chromium.log"));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    private static String chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    private static String head(String s) {
        return s.length() > 3000 ? s.substring(0, 3000) + "…" : s;
    }
}
