package dev.funnel.server.learning;

import static dev.funnel.server.learning.RollbackPinTest.admin;
import static dev.funnel.server.learning.RollbackPinTest.await;
import static dev.funnel.server.learning.RollbackPinTest.base;
import static dev.funnel.server.learning.RollbackPinTest.dense;
import static dev.funnel.server.learning.RollbackPinTest.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.model.registry.ModelInfo;
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
import dev.funnel.trainer.apply.DeltaApplier;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollback or unpin through one replica's admin API applies to every replica reading the same
 * streams (here two, then three servers on one Chronicle directory), including one started after
 * the rollback: before, only the replica that answered was pinned, and the others kept serving the
 * version the operator rolled back from.
 */
class ClusterRollbackTest {

    private static final String TOKEN = "test-admin-token";

    @TempDir
    Path dir;

    private final List<FunnelApp> apps = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void closeApps() {
        apps.forEach(FunnelApp::close);
    }

    /** Publishes ctr's v1 (a base) to v{@code newest} (dense deltas) on {@code t} and waits until {@code a} serves the newest. */
    private static void versionsUpTo(int newest, FunnelApp a, Transport t) throws Exception {
        RankModel ctr = a.env().require(ModelRuntime.class).requireRankModel("ctr");
        StreamAppender deltas = t.appender(Topics.MODEL_DELTAS);
        deltas.append(base(ctr, 1, 11).encode());
        for (int v = 2; v <= newest; v++) {
            deltas.append(dense(ctr, v, 10 + v).encode());
        }
        await(() -> ("v" + newest).equals(live(a)), "v" + newest + " live");
    }

    private FunnelApp replica(String name) throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts(TOKEN)
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString()).withSim(7, 2_000, 200)
                .with("streams.dir", dir.toString())
                .with("streams.replica", name)
                .with("model.pins", dir.resolve(name + "-pins.properties").toString())
                .with("trainer.embedded", "false"); // the test is the trainer: it publishes each delta itself
        FunnelApp app = FunnelApp.start(config, true);
        apps.add(app);
        return app;
    }

    private static HttpRequest adminRequest(FunnelApp app, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                .header("authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
    }

    private static ModelInfo info(FunnelApp app) {
        return app.env().require(ModelRuntime.class).models().stream().filter(m -> m.name().equals("ctr")).findFirst().orElseThrow();
    }

    private static String live(FunnelApp app) {
        return app.env().require(ModelRuntime.class).registry().liveVersion("ctr");
    }

    @Test
    void aRollbackAndAnUnpinOnOneReplicaApplyToEveryReplicaIncludingOneStartedLater() throws Exception {
        FunnelApp a = replica("replica-a");
        FunnelApp b = replica("replica-b");
        try (Transport trainer = new ChronicleTransport(dir)) {
            RankModel ctr = a.env().require(ModelRuntime.class).requireRankModel("ctr");
            StreamAppender deltas = trainer.appender(Topics.MODEL_DELTAS);
            deltas.append(base(ctr, 1, 11).encode());
            deltas.append(dense(ctr, 2, 12).encode());
            await(() -> "v2".equals(live(a)) && "v2".equals(live(b)), "v2 live on both replicas");

            HttpResponse<String> back = admin(http, a, "POST", "/admin/models/ctr/rollback");
            assertEquals(200, back.statusCode(), back.body());
            assertEquals("v1", new JsonObject(back.body()).getString("version"));
            assertEquals("v1", live(a), "the replica that answered has applied it when it answers");
            await(() -> "v1".equals(live(b)), "the rollback on A reached B");
            JsonObject onB = model(http, b);
            assertTrue(onB.getBoolean("pinned"), onB.encode());
            assertEquals("v1", onB.getString("pinned_version"), onB.encode());

            // The trainer's next snapshot is kept, not live, on every replica.
            deltas.append(dense(ctr, 3, 13).encode());
            await(() -> b.env().require(DeltaApplier.class).appliedVersion() == 3
                    && a.env().require(DeltaApplier.class).appliedVersion() == 3, "v3 received by both");
            assertEquals("v1", live(a));
            assertEquals("v1", live(b));
            assertEquals("v3", model(http, b).getString("unpin_version"));

            // A replica started after the rollback starts pinned: it replays from the base at or before v1.
            FunnelApp c = replica("replica-c");
            await(() -> c.env().require(DeltaApplier.class).appliedVersion() == 3, "C replayed the deltas");
            assertEquals("v1", live(c), "a replica started later serves the pinned version");
            JsonObject onC = model(http, c);
            assertTrue(onC.getBoolean("pinned"), onC.encode());
            assertFalse(onC.containsKey("pin_problem"), onC.encode());

            HttpResponse<String> unpin = admin(http, b, "POST", "/admin/models/ctr/unpin");
            assertEquals(200, unpin.statusCode(), unpin.body());
            assertEquals("v3", new JsonObject(unpin.body()).getString("version"));
            await(() -> "v3".equals(live(a)) && "v3".equals(live(c)), "the unpin on B reached A and C");
            for (FunnelApp app : List.of(a, b, c)) {
                assertFalse(model(http, app).getBoolean("pinned"), model(http, app).encode());
            }
            assertEquals(409, admin(http, a, "POST", "/admin/models/ctr/unpin").statusCode(), "nothing is pinned any more");

            deltas.append(dense(ctr, 4, 14).encode());
            await(() -> "v4".equals(live(a)) && "v4".equals(live(b)) && "v4".equals(live(c)), "every replica follows the newest again");
        }
    }

    /**
     * Two rollbacks sent at once to one replica go two versions back, as two sent one after the other do:
     * each decision is made on what the one before it left. Before, both chose the same previous version
     * (the first was published but not applied yet) and the second changed nothing.
     */
    @Test
    void twoRollbacksAtOnceOnOneReplicaGoTwoVersionsBack() throws Exception {
        FunnelApp a = replica("replica-a");
        try (Transport trainer = new ChronicleTransport(dir)) {
            versionsUpTo(3, a, trainer);

            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(http.sendAsync(adminRequest(a, "/admin/models/ctr/rollback"), HttpResponse.BodyHandlers.ofString()));
            }
            Set<String> madeLive = new HashSet<>();
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> r = call.get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                madeLive.add(new JsonObject(r.body()).getString("version"));
            }
            assertEquals(Set.of("v2", "v1"), madeLive, "each answer names the version it made live");
            assertEquals("v1", live(a));
            JsonObject m = model(http, a);
            assertTrue(m.getBoolean("pinned"), m.encode());
            assertFalse(m.getJsonArray("previous").contains("v2") || m.getJsonArray("previous").contains("v3"), m.encode());

        }
    }

    /**
     * A pin decided on a replica that had received less than this one (its newest was v2; v3 arrived here
     * before the pin did): v3 is held for the unpin, as the deciding replica holds it when it arrives after
     * its pin, so the unpin makes v3 live here too. Before, the pin dropped v3 and the unpin kept v1.
     */
    @Test
    void aReplicaAheadOfTheDecidingOneHoldsWhatItReceivedAfterTheDecidersNewest() throws Exception {
        FunnelApp a = replica("replica-a");
        try (Transport other = new ChronicleTransport(dir)) {
            versionsUpTo(3, a, other);

            StreamAppender control = other.appender(Topics.MODEL_CONTROL);
            control.append(ModelControl.pin("ctr", "v1", "replica-x", "r1", 1L, "v2").encode());
            await(() -> "v1".equals(live(a)) && "v3".equals(info(a).unpinVersion()),
                    "pinned to v1, v3 held for the unpin");
            control.append(ModelControl.unpin("ctr", "replica-x", "r2", 2L).encode());
            await(() -> "v3".equals(live(a)), "the unpin made v3 live, as on the deciding replica");
            assertFalse(info(a).pinned());
        }
    }

    /** Records that do not decode, or name a model no replica defines, are counted and skipped; the next pin applies. */
    @Test
    void badControlRecordsAreCountedAndSkipped() throws Exception {
        FunnelApp a = replica("replica-a");
        try (Transport other = new ChronicleTransport(dir)) {
            versionsUpTo(2, a, other);

            StreamAppender control = other.appender(Topics.MODEL_CONTROL);
            control.append(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            byte[] flipped = ModelControl.pin("ctr", "v1", "replica-x", "r1", 1L).encode();
            flipped[6] ^= 1;
            control.append(flipped);
            control.append(ModelControl.pin("nope", "v1", "replica-x", "r2", 1L).encode());
            control.append(ModelControl.pin("ctr", "v1", "replica-x", "r3", 1L).encode());
            // The swap makes v1 live before the consumer counts the record (it saves the pin file in between).
            await(() -> "v1".equals(live(a)) && a.meterRegistry().get("funnel_model_control_records_total")
                    .tag("outcome", "applied").functionCounter().count() == 1.0, "the valid pin after the bad records applied");
            assertEquals(3.0, a.meterRegistry().get("funnel_model_control_records_total").tag("outcome", "rejected")
                    .functionCounter().count());
            assertEquals(1.0, a.meterRegistry().get("funnel_model_control_records_total").tag("outcome", "applied")
                    .functionCounter().count());
        }
    }
}
