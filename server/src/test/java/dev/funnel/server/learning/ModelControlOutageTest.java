package dev.funnel.server.learning;

import static dev.funnel.server.learning.RollbackPinTest.admin;
import static dev.funnel.server.learning.RollbackPinTest.await;
import static dev.funnel.server.learning.RollbackPinTest.base;
import static dev.funnel.server.learning.RollbackPinTest.dense;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.RankModel;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.Topics;
import dev.funnel.streams.kafka.KafkaBroker;
import dev.funnel.streams.kafka.KafkaTransport;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollback while the Kafka cluster holding {@code model-control} is gone (a broker of this test's own, killed and
 * restarted): answered 503 {@code control_unavailable} with {@code Retry-After} within seconds, applied nowhere, not
 * later either once the cluster is back, and rollbacks work again then. Before, the decision's append waited out the
 * producer's two-minute delivery timeout (the caller's connection was closed by the server's 60 s idle timeout first,
 * with no answer), and a flush failure was answered 409 {@code no_previous_version}.
 */
class ModelControlOutageTest {

    private static final String TOKEN = "test-admin-token";
    private static final Path DAGS = Path.of("src/test/resources/it-dags").toAbsolutePath();
    private static final String PREFIX = "funnel-control-outage.";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aRollbackTheStreamCannotTakeIs503AndAppliedNowhereAndRollbacksWorkOnceItIsBack() throws Exception {
        try (KafkaBroker broker = KafkaBroker.startOwn(); FunnelApp app = start(broker);
             KafkaTransport trainer = new KafkaTransport(broker.bootstrapServers(), PREFIX, 1)) {
            RankModel ctr = app.env().require(ModelRuntime.class).requireRankModel("ctr");
            StreamAppender deltas = trainer.appender(Topics.MODEL_DELTAS);
            deltas.append(base(ctr, 1, 11).encode());
            deltas.append(dense(ctr, 2, 12).encode());
            deltas.append(dense(ctr, 3, 13).encode());
            deltas.flush();
            await(() -> "v3".equals(live(app)), "v3 live");

            broker.stop();
            long t0 = System.nanoTime();
            HttpResponse<String> refused = admin(http, app, "POST", "/admin/models/ctr/rollback");
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(503, refused.statusCode(), refused.body());
            JsonObject error = new JsonObject(refused.body()).getJsonObject("error");
            assertEquals("control_unavailable", error.getString("code"), refused.body());
            assertTrue(error.getString("message").startsWith("model 'ctr': the rollback was not published on model-control"),
                    refused.body());
            assertTrue(refused.headers().firstValue("retry-after").isPresent(), "Retry-After on the 503");
            assertTrue(tookMillis <= KafkaTransport.ANSWERED_DELIVERY_TIMEOUT_MILLIS + 4_000,
                    "answered within the stream's delivery timeout, took " + tookMillis + " ms");
            assertEquals("v3", live(app), "nothing applied");
            assertFalse(pinned(app), "nothing pinned");

            broker.restart();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            HttpResponse<String> done;
            while ((done = admin(http, app, "POST", "/admin/models/ctr/rollback")).statusCode() == 503) {
                assertTrue(System.nanoTime() < deadline, "rollbacks did not work again within 90 s of the cluster's return");
                Thread.sleep(200);
            }
            assertEquals(200, done.statusCode(), done.body());
            // One rollback from v3 is v2: had the refused one reached the topic after all, this one would have gone to v1
            // (it is decided once the one before it applied) or the late record would pin v2 over again.
            assertEquals("v2", new JsonObject(done.body()).getString("version"), done.body());
            Thread.sleep(2_000); // a late record would be read within this (the consumer looks every 100 ms)
            assertEquals("v2", live(app));
            assertTrue(pinned(app));
        }
    }

    private static String live(FunnelApp app) {
        return app.env().require(ModelRuntime.class).registry().liveVersion("ctr");
    }

    private static boolean pinned(FunnelApp app) {
        return app.env().require(ModelRuntime.class).models().stream().filter(m -> m.name().equals("ctr")).findFirst()
                .orElseThrow().pinned();
    }

    private FunnelApp start(KafkaBroker broker) throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts(TOKEN).withDagsDir(DAGS.toString())
                .with("streams.transport", "kafka").with("streams.kafka.bootstrap", broker.bootstrapServers())
                .with("streams.kafka.prefix", PREFIX).with("streams.replica", "replica-c")
                .with("model.pins", dir.resolve("pins.properties").toString())
                .with("trainer.embedded", "false"); // the test is the trainer: it publishes each delta itself
        return TestServers.startReady(config);
    }
}
