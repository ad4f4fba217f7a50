package dev.funnel.server.learning;

import dev.funnel.index.ItemStore;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import dev.funnel.streams.schema.ItemUpdate;
import dev.funnel.trainer.apply.DeltaApplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real server in demo mode with the learning loop on a Chronicle directory: feedback posted over
 * HTTP lands on the feedback topic, and an item update appended to the stream reaches the index.
 */
class LearningLoopWiringTest {

    @TempDir
    Path dir;

    @Test
    void feedbackGoesToTheStreamAndItemUpdatesComeFromIt() throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts("test-admin-token")
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString()).withSim(7, 2_000, 200)
                .with("streams.dir", dir.toString());
        FunnelApp app = FunnelApp.start(config, true);
        try (Transport reader = new ChronicleTransport(dir)) {
            long until = System.nanoTime() + 60_000_000_000L;
            while (!app.readiness().ready() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String body = "{\"events\":[{\"request_id\":\"req-1\",\"user_id\":\"u000001\",\"item_id\":5,\"event\":\"click\",\"ts\":1000},"
                    + "{\"request_id\":\"req-1\",\"user_id\":\"u000001\",\"item_id\":6,\"event\":\"like\",\"ts\":1001}]}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/feedback"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r.statusCode(), r.body());

            List<Feedback> got = new ArrayList<>();
            try (StreamTailer t = reader.tailer(Topics.FEEDBACK, "test")) {
                while (got.size() < 2 && System.nanoTime() < until) {
                    t.poll((p, b) -> got.add(Feedback.decode(b)), 10);
                }
            }
            assertEquals(List.of(new Feedback("req-1", "u000001", 5, Feedback.Event.CLICK, 1000),
                    new Feedback("req-1", "u000001", 6, Feedback.Event.LIKE, 1001)), got);

            ItemStore items = app.env().require(ItemStore.class);
            reader.appender(Topics.ITEM_UPDATES).append(new ItemUpdate(ItemUpdate.Op.UPSERT, 999_999, "c03", "a0001",
                    List.of("t0001"), true, 1L, 0.5, new float[64], 2L).encode());
            while (!"c03".equals(items.category(999_999)) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals("c03", items.category(999_999));
            assertTrue(app.meterRegistry().scrape().contains("funnel_loop_events_written_total"));

            // The closed loop: recommend → impression with the ranker's features → click → embedded trainer →
            // delta → applied into the serving tables and registry.
            // Under load the ranker may time out and fall back (then nothing is logged): ask until one is ranked.
            List<ImpressionLog> logged = new ArrayList<>();
            String lastBody = "";
            try (StreamTailer t = reader.tailer(Topics.IMPRESSIONS, "test")) {
                for (int attempt = 0; attempt < 20 && logged.isEmpty(); attempt++) {
                    HttpResponse<String> rec = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/recommend"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"user_id\":\"u000042\",\"scene\":\"home\",\"count\":5}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    lastBody = rec.body();
                    long wait = System.nanoTime() + 1_000_000_000L;
                    while (logged.isEmpty() && System.nanoTime() < wait) {
                        t.poll((p, b) -> logged.add(ImpressionLog.decode(b)), 10);
                    }
                }
            }
            assertEquals(1, logged.size(), "an impression was logged; last response " + lastBody);
            ImpressionLog imp = logged.get(0);
            assertEquals("u000042", imp.userId());
            assertTrue(lastBody.contains(imp.requestId()), "the logged request id is the response's");
            assertTrue(imp.items().get(0).fieldIds().length > 0 && imp.items().get(0).wideIds().length > 0, "logged with features");
            long clicked = imp.items().get(0).itemId();
            String click = "[{\"request_id\":\"" + imp.requestId() + "\",\"user_id\":\"u000042\",\"item_id\":" + clicked
                    + ",\"event\":\"click\"}]";
            assertEquals(202, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/feedback"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(click)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            DeltaApplier applier = app.env().require(DeltaApplier.class);
            while (applier.appliedVersion() < 1 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(applier.appliedVersion() >= 1, "a delta from the embedded trainer was applied: " + applier);
            assertEquals(0, applier.rejected());
            assertTrue(applier.freshnessMillis() >= 0);
            String scrape = app.meterRegistry().scrape();
            assertTrue(scrape.contains("funnel_model_freshness_seconds"));
            assertTrue(scrape.contains("funnel_trainer_running{model=\"ctr\"} 1.0"), "the embedded trainer runs");
            assertTrue(scrape.contains("funnel_trainer_records_dropped_total{model=\"ctr\",reason=\"future_timestamp\"} 0.0"),
                    "nothing dropped");
        } finally {
            app.close();
        }
    }

    /**
     * Serve mode without the sim world (what the Kubernetes manifests run): the catalog is the
     * item-updates stream, and the server becomes ready once its replay has caught up. (It stayed
     * 503 for ever: nothing opened the catalog gate.)
     */
    @Test
    void withoutTheSimTheCatalogIsTheItemStreamAndReadinessWaitsForItsReplay() throws Exception {
        try (Transport writer = new ChronicleTransport(dir)) {
            for (long id = 1; id <= 3; id++) {
                writer.appender(Topics.ITEM_UPDATES).append(new ItemUpdate(ItemUpdate.Op.UPSERT, id, "c0" + id, "a0001",
                        List.of("t0001"), true, 1L, 0.5, new float[64], 2L).encode());
            }
            writer.appender(Topics.ITEM_UPDATES).append(new ItemUpdate(ItemUpdate.Op.DELETE, 2, "", "", List.of(), false,
                    0L, 0, new float[0], 3L).encode());
        }
        FunnelConfig config = TestServers.config().withEphemeralPorts("test-admin-token")
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString())
                .with("streams.dir", dir.toString());
        FunnelApp app = FunnelApp.start(config, false);
        try {
            long until = System.nanoTime() + 60_000_000_000L;
            while (!app.readiness().ready() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(app.readiness().ready(), "ready once the item stream is replayed: " + app.readiness().gates());
            ItemStore items = app.env().require(ItemStore.class);
            assertEquals("c01", items.category(1));
            assertEquals(null, items.category(2), "deleted on the stream");
            assertEquals("c03", items.category(3));
        } finally {
            app.close();
        }
    }

    @Test
    void withoutTheSimAndWithoutStreamsTheCatalogStartsEmptyAndReady() throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts("test-admin-token")
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString())
                .with("streams.transport", "off");
        FunnelApp app = FunnelApp.start(config, false);
        try {
            assertEquals(Boolean.TRUE, app.readiness().gates().get("catalog"), app.readiness().gates().toString());
        } finally {
            app.close();
        }
    }

    @Test
    void theDemosOwnStreamsDirectoryIsDeletedWhenTheServerCloses() throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts("test-admin-token")
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString()).withSim(7, 2_000, 200);
        FunnelApp app = FunnelApp.start(config, true);
        Path streams;
        try {
            streams = ((ChronicleTransport) app.env().require(Transport.class)).baseDir();
            assertTrue(streams.getFileName().toString().startsWith("funnel-demo-streams"), streams.toString());
            assertTrue(Files.isDirectory(streams.resolve(Topics.IMPRESSIONS)), "the impression queue was created in " + streams);
        } finally {
            app.close();
        }
        assertFalse(Files.exists(streams), "left behind: " + streams);
    }

    /** The retention keys reach the transport, its deletions show in /metrics, and bad values fail the start naming the key. */
    @Test
    void streamRetentionIsConfiguredAndMeasuredAndBadValuesFailTheStart() throws Exception {
        FunnelConfig base = TestServers.config().withEphemeralPorts("test-admin-token")
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString())
                .with("streams.dir", dir.resolve("s").toString());
        FunnelApp app = FunnelApp.start(base.with("streams.retention_h", "6").with("streams.roll_cycle", "fast_daily"), false);
        try {
            ChronicleTransport t = (ChronicleTransport) app.env().require(Transport.class);
            assertEquals(dev.funnel.streams.Retention.ofHours(6), t.retention());
            assertTrue(t.toString().contains("FAST_DAILY"), t.toString());
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("funnel_streams_retention_deleted_files_total"), "metric exported");
            assertTrue(metrics.contains("funnel_streams_retention_deleted_bytes_total"), "metric exported");
        } finally {
            app.close();
        }
        // Wirings wrap what a wiring throws ("wiring LearningLoopWiring failed: ..."), keeping its message.
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> FunnelApp.start(base.with("streams.retention_h", "-1"), false).close());
        assertTrue(e.getMessage().contains("streams.retention_h: stream retention must be 0 (for ever) .. 87600 hours, got -1"),
                e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> FunnelApp.start(base.with("trainer.embedded", "true").with("trainer.base_every_s", "soon"), false).close());
        assertTrue(e.getMessage().contains("trainer.base_every_s must be an integer, got 'soon'"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> FunnelApp.start(base.with("streams.roll_cycle", "hourlyish"), false).close());
        assertTrue(e.getMessage().contains("streams.roll_cycle: chronicle roll cycle must be one of") && e.getMessage().contains("'hourlyish'"),
                e.getMessage());
    }

    /** Two servers with an embedded trainer on one checkpoint directory: the second fails to start, saying why. */
    @Test
    void aSecondEmbeddedTrainerOnTheSameCheckpointDirectoryFailsTheStart() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        FunnelConfig config = TestServers.config().withEphemeralPorts("test-admin-token")
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString()).withSim(7, 2_000, 200)
                .with("streams.dir", dir.resolve("s").toString()).with("trainer.checkpoint_dir", ckpt.toString());
        FunnelApp first = FunnelApp.start(config, true);
        try {
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> FunnelApp.start(config, true).close());
            assertTrue(e.getMessage().contains("checkpoint directory " + ckpt.toAbsolutePath() + " is in use by another trainer"),
                    e.getMessage());
        } finally {
            first.close();
        }
    }

    @Test
    void deleteTreeRemovesNestedFilesAndIgnoresAMissingDirectory() throws Exception {
        Path root = dir.resolve("streams");
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/x.cq4"), "x");
        Files.writeString(root.resolve("top"), "y");
        LearningLoopWiring.deleteTree(root);
        assertFalse(Files.exists(root));
        LearningLoopWiring.deleteTree(root); // already gone: nothing to do, no failure
        assertTrue(Files.isDirectory(dir));
    }
}
