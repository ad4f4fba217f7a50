package dev.funnel.server.exposure;

import static dev.funnel.server.exposure.ExposureTestServer.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.index.ItemStore;
import dev.funnel.server.FunnelApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped dag-configs serve through the real server: home_feed's exposure filter and rerank
 * chain, and home_ops's operations items placed at slots 2, 7 and 12 by mix.insert. The files are
 * used as shipped except that every {@code deadline_ms} is multiplied by 50: these tests check what
 * the DAGs compute, and must not flake when a shared build machine is slow (the deadlines
 * themselves are the engine tests' subject).
 */
class ShippedDagsServeTest {

    static FunnelApp app;

    @BeforeAll
    static void start() throws Exception {
        Path shipped = Path.of("../dag-configs").toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory("shipped-dags");
        try (var files = Files.list(shipped)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Matcher m = Pattern.compile("deadline_ms: (\\d+)").matcher(Files.readString(f));
                StringBuilder out = new StringBuilder();
                while (m.find()) {
                    m.appendReplacement(out, "deadline_ms: " + Integer.parseInt(m.group(1)) * 50);
                }
                m.appendTail(out);
                Files.writeString(dir.resolve(f.getFileName()), out.toString());
            }
        }
        app = ExposureTestServer.start(Map.of(), dir);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
            app = null; // the class stays loaded for the rest of the suite: let its world go
        }
    }

    static JsonArray items(String scene, String user, int count) throws Exception {
        HttpResponse<String> r = post(app.httpPort(), "/v1/recommend",
                "{\"user_id\":\"" + user + "\",\"scene\":\"" + scene + "\",\"count\":" + count + ",\"debug\":true}");
        assertEquals(200, r.statusCode(), r.body());
        JsonObject body = new JsonObject(r.body());
        assertEquals(false, body.getBoolean("partial"), "no node degraded: " + r.body());
        assertTrue(r.body().contains("\"node\":\"seen\",\"op\":\"filter.exposure\",\"outcome\":\"ok\""), r.body());
        return body.getJsonArray("items");
    }

    @Test
    void homeFeedServesWithoutRepeatsAndSpreadsAuthors() throws Exception {
        JsonArray first = items("home", "u-shipped", 15);
        JsonArray second = items("home", "u-shipped", 15);
        assertEquals(15, first.size());
        ItemStore items = app.env().require(ItemStore.class);
        for (int i = 2; i < first.size(); i++) {
            Set<String> authors = new HashSet<>();
            for (int j = i - 2; j <= i; j++) {
                authors.add(items.author(first.getJsonObject(j).getLong("item_id")));
            }
            assertEquals(3, authors.size(), "rerank.scatter: one author twice among positions " + (i - 2) + ".." + i);
        }
        Set<Long> ids = new HashSet<>();
        for (JsonArray page : new JsonArray[] {first, second}) {
            for (int i = 0; i < page.size(); i++) {
                assertTrue(ids.add(page.getJsonObject(i).getLong("item_id")), "repeated item in " + first + " / " + second);
            }
        }
    }

    /** Per-node CPU: every cpu-heavy node of home_feed and the ranker's batcher report some; a light node none. */
    @Test
    void cpuHeavyNodesAndTheBatcherReportTheirCpuTime() throws Exception {
        for (int i = 0; i < 5; i++) {
            items("home", "u0000" + i, 10);
        }
        // A worker reports after the request is answered: poll until the last node's report is in.
        ExposureTestServer.awaitMetric(app.httpPort(), "funnel_node_cpu_seconds_total", 1e-9);
        String text = null;
        for (int tries = 0; tries < 1000; tries++) {
            text = ExposureTestServer.HTTP.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (nodeCpu(text, "diverse") > 0 && nodeCpu(text, "rank") > 0 && nodeCpu(text, "prerank") > 0) {
                break;
            }
            Thread.sleep(20); // reports from worker threads after the responses: polled, not timed
        }
        for (String node : new String[] {"ann", "prerank", "rank", "diverse"}) {
            assertTrue(nodeCpu(text, node) > 0, node + " reported no CPU time");
        }
        assertEquals(-1, nodeCpu(text, "top"), "rerank.truncate runs on the event loop: no worker CPU metered");
        Matcher batcher = Pattern.compile("(?m)^funnel_batcher_cpu_seconds_total\\{[^}]*model=\"ctr\"[^}]*\\} ([0-9.eE+-]+)$")
                .matcher(text);
        assertTrue(batcher.find() && Double.parseDouble(batcher.group(1)) > 0, "no batcher CPU for ctr");
    }

    /** The worker pool's meters: its size and bound as configured, its queue, and no refusals at this load. */
    @Test
    void theWorkerPoolReportsItsQueueRefusalsAndSize() throws Exception {
        items("home", "u00009", 10);
        String text = ExposureTestServer.HTTP.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertEquals(app.config().workerThreads(), meter(text, "funnel_workers_threads"), 0.0);
        assertEquals(app.config().workerQueue(), meter(text, "funnel_workers_capacity"), 0.0);
        assertEquals(0.0, meter(text, "funnel_workers_refused_total"), 0.0);
        double queued = meter(text, "funnel_workers_queued");
        assertTrue(queued >= 0 && queued <= app.config().workerQueue(), "queued " + queued);
    }

    /** An unlabelled meter's value from /metrics text. */
    private static double meter(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+-]+)$").matcher(metrics);
        assertTrue(m.find(), "no " + name + " in /metrics");
        return Double.parseDouble(m.group(1));
    }

    /** home_feed's node's CPU seconds from /metrics text, or -1 when it has no line. */
    private static double nodeCpu(String metrics, String node) {
        Matcher m = Pattern.compile("(?m)^funnel_node_cpu_seconds_total\\{dag=\"home_feed\",node=\"" + node
                + "\",[^}]*\\} ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void homeOpsPlacesOperationsItemsAtTheirSlots() throws Exception {
        JsonArray page = items("home_ops", "u-ops", 15);
        assertEquals(15, page.size());
        for (int i = 0; i < page.size(); i++) {
            boolean fromOps = page.getJsonObject(i).getJsonArray("sources").contains("ops");
            assertEquals(i == 2 || i == 7 || i == 12, fromOps, "slot " + i + ": " + page.getJsonObject(i));
        }
    }
}
