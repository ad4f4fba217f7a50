package dev.funnel.server.learning;

import dev.funnel.model.serving.CtrBootstrap;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.RankModel;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.ModelControl;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.trainer.apply.DeltaApplier;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator's rollback on a real server survives the trainer's dense snapshots: they arrive on the
 * delta stream, pass through the server's own {@link DeltaApplier} into the registry, and are kept but not
 * made live until {@code POST /admin/models/ctr/unpin}. (Before the pin, the next dense delta, some 20
 * seconds later, undid the rollback.) Sparse deltas keep applying while pinned.
 */
class RollbackPinTest {

    private static final String TOKEN = "test-admin-token";

    @TempDir
    Path dir;

    @Test
    void aRollbackStaysLiveThroughDenseDeltasUntilUnpinned() throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts(TOKEN)
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString()).withSim(7, 2_000, 200)
                .with("streams.dir", dir.toString())
                .with("trainer.embedded", "false"); // the test is the trainer: it publishes each delta itself
        FunnelApp app = FunnelApp.start(config, true);
        try (Transport trainer = new ChronicleTransport(dir)) {
            ModelRuntime rt = app.env().require(ModelRuntime.class);
            RankModel ctr = rt.requireRankModel("ctr");
            DeltaApplier applier = app.env().require(DeltaApplier.class);
            StreamAppender deltas = trainer.appender(Topics.MODEL_DELTAS);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

            deltas.append(dense(ctr, 1, 11).encode());
            deltas.append(dense(ctr, 2, 12).encode());
            await(() -> "v2".equals(rt.registry().liveVersion("ctr")), "v2 live");

            HttpResponse<String> back = admin(http, app, "POST", "/admin/models/ctr/rollback");
            assertEquals(200, back.statusCode(), back.body());
            assertEquals("v1", new JsonObject(back.body()).getString("version"));
            assertTrue(new JsonObject(back.body()).getBoolean("pinned"), back.body());

            // The trainer's next dense snapshot, then a sparse delta: received and applied, the rollback stays live.
            deltas.append(dense(ctr, 3, 13).encode());
            long sparseId = 4242L;
            deltas.append(new ModelDelta("ctr", 4, ModelDelta.Kind.SPARSE, System.currentTimeMillis(),
                    List.of(new ModelDelta.Rows("field", ctr.spec().fieldDim(), new long[] {sparseId}, filled(ctr.spec().fieldDim(), 0.5f))),
                    null).encode());
            await(() -> applier.appliedVersion() == 4, "deltas up to v4 applied: " + applier);
            assertEquals(0, applier.rejected(), applier.toString());
            assertEquals("v1", rt.registry().liveVersion("ctr"), "the dense delta v3 did not undo the rollback");
            assertTrue(ctr.fieldTable().size() > 0 && rowOf(ctr, sparseId)[0] == 0.5f, "the sparse delta applied while pinned");

            JsonObject m = model(http, app);
            assertEquals("v1", m.getString("live_version"));
            assertTrue(m.getBoolean("pinned"), m.encode());
            assertEquals("v3", m.getString("unpin_version"), m.encode());

            HttpResponse<String> again = admin(http, app, "POST", "/admin/models/ctr/rollback");
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(CtrBootstrap.VERSION, new JsonObject(again.body()).getString("version"), "rolled back once more while pinned");
            assertTrue(model(http, app).getBoolean("pinned"));

            HttpResponse<String> unpin = admin(http, app, "POST", "/admin/models/ctr/unpin");
            assertEquals(200, unpin.statusCode(), unpin.body());
            assertEquals("v3", new JsonObject(unpin.body()).getString("version"), "the newest version received goes live");
            assertFalse(new JsonObject(unpin.body()).getBoolean("pinned"));
            assertEquals("v3", rt.registry().liveVersion("ctr"));
            JsonObject after = model(http, app);
            assertFalse(after.getBoolean("pinned"), after.encode());
            assertEquals(null, after.getString("unpin_version"), after.encode());

            HttpResponse<String> notPinned = admin(http, app, "POST", "/admin/models/ctr/unpin");
            assertEquals(409, notPinned.statusCode(), notPinned.body());
            assertEquals("not_pinned", new JsonObject(notPinned.body()).getJsonObject("error").getString("code"));
            assertEquals(404, admin(http, app, "POST", "/admin/models/nope/unpin").statusCode());

            deltas.append(dense(ctr, 5, 15).encode());
            await(() -> "v5".equals(rt.registry().liveVersion("ctr")), "unpinned: the next dense delta goes live");
        } finally {
            app.close();
        }
    }

    /**
     * A rollback outlives a restart: the pin is saved (in streams.dir, next to the deltas it names), the
     * restarted replica replays the stream from the newest base at or before the pinned version (not
     * from the newest base, which is past it), and the pinned version is live again with the newer one
     * kept for unpin. A pin whose version the stream no longer holds is reported, and newer versions serve.
     * (The pin is saved in the file and on the model-control topic; the topic's word wins at start.)
     */
    @Test
    void aRollbackPinSurvivesARestartAndOneThatCannotBeRestoredIsReported() throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts(TOKEN)
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString()).withSim(7, 2_000, 200)
                .with("streams.dir", dir.toString())
                .with("trainer.embedded", "false");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        FunnelApp first = FunnelApp.start(config, true);
        try (Transport trainer = new ChronicleTransport(dir)) {
            ModelRuntime rt = first.env().require(ModelRuntime.class);
            RankModel ctr = rt.requireRankModel("ctr");
            StreamAppender deltas = trainer.appender(Topics.MODEL_DELTAS);
            deltas.append(base(ctr, 1, 11).encode());
            deltas.append(base(ctr, 2, 12).encode());
            await(() -> "v2".equals(rt.registry().liveVersion("ctr")), "v2 live");
            HttpResponse<String> back = admin(http, first, "POST", "/admin/models/ctr/rollback");
            assertEquals(200, back.statusCode(), back.body());
            deltas.append(base(ctr, 3, 13).encode()); // the trainer's hourly base: replicas start at the newest
            await(() -> first.env().require(DeltaApplier.class).appliedVersion() == 3, "v3 received");
            assertEquals("v1", rt.registry().liveVersion("ctr"));
        } finally {
            first.close();
        }
        assertTrue(java.nio.file.Files.readString(dir.resolve("model-pins.properties")).contains("ctr=v1"));

        FunnelApp second = FunnelApp.start(config, true);
        try {
            ModelRuntime rt = second.env().require(ModelRuntime.class);
            DeltaApplier applier = second.env().require(DeltaApplier.class);
            await(() -> applier.appliedVersion() == 3, "the restarted replica replayed v1..v3: " + applier);
            assertEquals(3, applier.count(DeltaApplier.Outcome.APPLIED),
                    "started at the newest base at or before the pinned v1, not at the newest (v3)");
            assertEquals("v1", rt.registry().liveVersion("ctr"), "the rollback outlived the restart");
            JsonObject m = model(http, second);
            assertTrue(m.getBoolean("pinned"), m.encode());
            assertEquals("v1", m.getString("pinned_version"), m.encode());
            assertEquals("v3", m.getString("unpin_version"), m.encode());
            assertFalse(m.containsKey("pin_problem"), m.encode());
        } finally {
            second.close();
        }

        // A rollback on another replica pinned a version this stream no longer holds (say, it was trimmed):
        // reported, newer versions serve.
        try (Transport other = new ChronicleTransport(dir)) {
            other.appender(Topics.MODEL_CONTROL).append(ModelControl.pin("ctr", "v0-gone", "replica-9", "req-gone",
                    System.currentTimeMillis()).encode());
        }
        FunnelApp third = FunnelApp.start(config, true);
        try {
            ModelRuntime rt = third.env().require(ModelRuntime.class);
            DeltaApplier applier = third.env().require(DeltaApplier.class);
            await(() -> applier.appliedVersion() == 3, "replayed: " + applier);
            assertEquals("v3", rt.registry().liveVersion("ctr"), "the newest version serves");
            JsonObject m = model(http, third);
            assertFalse(m.getBoolean("pinned"), m.encode());
            assertEquals("v0-gone", m.getString("pinned_version"), m.encode());
            assertTrue(m.getString("pin_problem").contains("pinned to 'v0-gone' (before a restart, or by a rollback on another replica),"
                            + " but 'v0-gone' is not loaded here"),
                    m.encode());
            HttpResponse<String> unpin = admin(http, third, "POST", "/admin/models/ctr/unpin");
            assertEquals(200, unpin.statusCode(), unpin.body());
            assertEquals("v3", new JsonObject(unpin.body()).getString("version"));
            assertFalse(model(http, third).containsKey("pin_problem"));
            assertFalse(java.nio.file.Files.readString(dir.resolve("model-pins.properties")).contains("ctr="), "unpin removed it");
        } finally {
            third.close();
        }
    }

    /** A dense delta that is also a base, as the trainer publishes every {@code trainer.base_every_s}. */
    static ModelDelta base(RankModel ctr, long version, long seed) {
        ModelDelta d = dense(ctr, version, seed);
        return new ModelDelta(d.modelName(), d.version(), d.kind(), d.createdAtMillis(), d.tables(), d.onnx(), true);
    }

    static ModelDelta dense(RankModel ctr, long version, long seed) {
        return new ModelDelta("ctr", version, ModelDelta.Kind.DENSE, System.currentTimeMillis(), List.of(),
                CtrBootstrap.onnx(ctr.schema(), ctr.spec(), seed));
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static float[] rowOf(RankModel ctr, long id) {
        float[] out = new float[ctr.spec().fieldDim()];
        ctr.fieldTable().get(id, out, 0);
        return out;
    }

    static JsonObject model(HttpClient http, FunnelApp app) throws Exception {
        HttpResponse<String> r = admin(http, app, "GET", "/admin/models");
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body()).getJsonArray("models").stream().map(JsonObject.class::cast)
                .filter(o -> "ctr".equals(o.getString("name"))).findFirst().orElseThrow();
    }

    static HttpResponse<String> admin(HttpClient http, FunnelApp app, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                .header("authorization", "Bearer " + TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void await(BooleanSupplier done, String what) throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertTrue(done.getAsBoolean(), "timed out waiting: " + what);
    }
}
