package dev.funnel.server.wiring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.model.batch.BatcherConfig;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.ModelRuntimeConfig;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelWiringTest {

    @Test
    void batcherKeysReachTheRuntimeConfig() {
        ModelRuntimeConfig d = ModelWiring.runtimeConfig(FunnelConfig.DEFAULT);
        assertEquals(BatcherConfig.runnersForCores(Runtime.getRuntime().availableProcessors()), d.batcher().runners());
        assertTrue(d.batcher().dispatchWhenIdle());
        assertEquals(1024, d.batcher().maxBatchRows());

        ModelRuntimeConfig c = ModelWiring.runtimeConfig(FunnelConfig.DEFAULT.with("model.batcher_runners", "2")
                .with("model.dispatch_when_idle", "false").with("model.max_batch_rows", "256")
                .with("model.max_queue_delay_us", "300").with("model.intra_op_threads", "2"));
        assertEquals(2, c.batcher().runners());
        assertFalse(c.batcher().dispatchWhenIdle());
        assertEquals(256, c.batcher().maxBatchRows());
        assertEquals(300, c.batcher().maxQueueDelayMicros());
        assertEquals(2, c.backend().intraOpThreads());
    }

    @Test
    void theTableBoundIsAKeyAndDefaultsToTheRuntimes() {
        assertEquals(ModelRuntimeConfig.DEFAULT_TABLE_MAX_ROWS, ModelWiring.runtimeConfig(FunnelConfig.DEFAULT).tableMaxRows());
        assertEquals(4096, ModelWiring.runtimeConfig(FunnelConfig.DEFAULT.with(ModelWiring.TABLE_MAX_ROWS_KEY, "4096")).tableMaxRows());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelWiring.runtimeConfig(FunnelConfig.DEFAULT.with(ModelWiring.TABLE_MAX_ROWS_KEY, "0")));
        assertEquals("model.table_max_rows must be >= 1, got 0", e.getMessage());
    }

    @Test
    void theDefaultRunnersScaleWithTheCores() {
        // One runner assembles and scores for every event loop: on 16 cores one runner capped a
        // server at ~3,200 req/s with cores to spare (BENCHMARKS.md, session 18).
        assertEquals(1, BatcherConfig.runnersForCores(1));
        assertEquals(1, BatcherConfig.runnersForCores(2));
        assertEquals(1, BatcherConfig.runnersForCores(7));
        assertEquals(2, BatcherConfig.runnersForCores(8));
        assertEquals(4, BatcherConfig.runnersForCores(16));
        assertEquals(BatcherConfig.MAX_RUNNERS, BatcherConfig.runnersForCores(1024));
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelWiring.runtimeConfig(FunnelConfig.DEFAULT.with("model.batcher_runners", "two")));
        assertEquals("model.batcher_runners must be an integer, got 'two'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelWiring.runtimeConfig(FunnelConfig.DEFAULT.with("model.batcher_runners", "0")));
        assertTrue(e.getMessage().contains("runners must be in 1..64, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelWiring.runtimeConfig(FunnelConfig.DEFAULT.with("model.dispatch_when_idle", "yes")));
        assertEquals("model.dispatch_when_idle must be true or false, got 'yes'", e.getMessage());
    }

    @Test
    void theHiddenLayersAreCommaSeparatedWidths() {
        assertArrayEquals(CtrModelSpec.DEFAULT_HIDDEN, ModelWiring.hiddenLayers(""));
        assertArrayEquals(new int[] {256, 128}, ModelWiring.hiddenLayers("256,128"));
        assertArrayEquals(new int[] {512, 256, 64}, ModelWiring.hiddenLayers(" 512, 256 ,64 "));
        for (String bad : new String[] {"256,", "0,8", "-4", "64x32", "a,b", "100000"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelWiring.hiddenLayers(bad));
            assertEquals("model.ctr.hidden must be layer widths in 1..65536 separated by commas (e.g. 256,128), got '"
                    + bad + "'", e.getMessage());
        }
    }

    /** The demo server with a wider model than the default: the bootstrap model has that shape and ranks. */
    @Test
    void theServerServesAModelOfTheConfiguredShape() throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts("hidden-test-token")
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString()).withSim(7, 2_000, 200)
                .with("model.ctr.hidden", "96,48,16").with("streams.transport", "off");
        FunnelApp app = FunnelApp.start(config, true);
        try {
            ModelRuntime runtime = app.env().require(ModelRuntime.class);
            assertArrayEquals(new int[] {96, 48, 16}, runtime.requireRankModel("ctr").spec().hidden());
            // The catalog loads in the background: before /health/ready a request may find no candidate to rank.
            long readyBy = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!app.readiness().ready()) {
                assertTrue(System.nanoTime() < readyBy, "not ready within 60 s: " + app.readiness());
                Thread.sleep(20);
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String outcome = null;
            JsonObject body = null;
            // A cold server on a busy machine may run out of budget or fall back: ask until one request is ranked.
            for (int attempt = 0; attempt < 20 && !"ok".equals(outcome); attempt++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort()
                                + "/v1/recommend")).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"user_id\":\"u000042\",\"scene\":\"home\",\"count\":5,"
                                + "\"debug\":true}")).build(), HttpResponse.BodyHandlers.ofString());
                body = new JsonObject(r.body());
                if (r.statusCode() != 200) { // a cold server on a busy machine can run out of budget (a 503)
                    assertEquals(503, r.statusCode(), r.body());
                    continue;
                }
                outcome = body.getJsonObject("trace").getJsonArray("nodes").stream().map(JsonObject.class::cast)
                        .filter(n -> n.getString("node").equals("rank")).findFirst().orElseThrow().getString("outcome");
            }
            assertEquals("ok", outcome, "the rank node scored a request: " + body);
            assertEquals("0", body.getJsonObject("versions").getJsonObject("models").getString("ctr"), body.encode());
            assertEquals(5, body.getJsonArray("items").size(), body.encode());
        } finally {
            app.close();
        }
    }
}
