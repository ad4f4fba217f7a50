package dev.funnel.server.learning;

import dev.funnel.index.ItemStore;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.streams.kafka.KafkaBroker;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The items API while the Kafka cluster holding {@code item-updates} is gone (a broker of this test's own,
 * killed and restarted): a write is answered 503 {@code catalog_unavailable} within the write's timeout, is
 * applied nowhere (not later either, once the cluster is back), and writes succeed again when it is back.
 */
class ItemStreamOutageTest {

    private static final String TOKEN = "test-admin-token";
    private static final Path DAGS = Path.of("src/test/resources/it-dags").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** What a client waits for at most here: far past the write's own timeout, so that a hang shows as one. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(150);

    @TempDir
    static Path pins;

    @Test
    void aWriteTheStreamCannotTakeIs503AndAppliedNowhereAndWritesWorkOnceItIsBack() throws Exception {
        try (KafkaBroker broker = KafkaBroker.startOwn(); FunnelApp app = start(broker)) {
            long id = 801;
            assertEquals(201, items(app, "PUT", id, item("c_old")).statusCode());
            ItemStore index = app.env().require(ItemStore.class);

            broker.stop();
            long t0 = System.nanoTime();
            HttpResponse<String> refused = items(app, "PUT", id, item("c_lost"));
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(503, refused.statusCode(), refused.body());
            JsonObject error = new JsonObject(refused.body()).getJsonObject("error");
            assertEquals("catalog_unavailable", error.getString("code"), refused.body());
            assertTrue(error.getString("message").contains("item " + id), refused.body());
            assertTrue(tookMillis <= CatalogStream.APPLY_TIMEOUT_MILLIS + 3_000, "answered within the write's timeout, took "
                    + tookMillis + " ms");
            assertEquals("c_old", new JsonObject(items(app, "GET", id, null).body()).getString("category"), "nothing applied");

            broker.restart();
            // Another item's write, once it succeeds, was applied after everything before it in the topic: had the
            // refused write reached the topic after all, it would be applied by now.
            long probe = 802;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            int status;
            while ((status = items(app, "PUT", probe, item("c_probe")).statusCode()) == 503) {
                assertTrue(System.nanoTime() < deadline, "writes did not work again within 90 s of the cluster's return");
            }
            assertEquals(201, status);
            assertEquals("c_old", index.category(id), "the refused write was not applied late");
            assertEquals(200, items(app, "PUT", id, item("c_new")).statusCode());
            assertEquals("c_new", index.category(id));
            assertFalse(index.category(probe) == null);
        }
    }

    private static String item(String category) {
        return "{\"category\":\"" + category + "\",\"author\":\"a1\",\"status\":\"online\",\"popularity\":1}";
    }

    private static FunnelApp start(KafkaBroker broker) throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts(TOKEN).withDagsDir(DAGS.toString())
                .with("streams.transport", "kafka").with("streams.kafka.bootstrap", broker.bootstrapServers())
                .with("streams.kafka.prefix", "funnel-outage.").with("streams.replica", "replica-o")
                .with("model.pins", pins.resolve("pins.properties").toString());
        return TestServers.startReady(config);
    }

    private static HttpResponse<String> items(FunnelApp app, String method, long id, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/items/" + id))
                .timeout(CLIENT_TIMEOUT).header("authorization", "Bearer " + TOKEN);
        r = body == null ? r.method(method, HttpRequest.BodyPublishers.noBody())
                : r.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}
