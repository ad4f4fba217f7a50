package dev.funnel.server.metrics;

import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.schema.ItemUpdate;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} of a real server with every part wired that registers meters (the sim world,
 * the model runtime, the learning loop with its embedded trainer, a short warm-up), after a
 * recommend, a feedback post and items API writes: every Funnel family says what it counts.
 */
class MetricsHelpTest {

    private static final String TOKEN = "test-admin-token";
    private static final Pattern HELP = Pattern.compile("^# HELP (funnel_\\S*)(.*)$", Pattern.MULTILINE);

    @TempDir
    static Path streams;
    private static FunnelApp app;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts(TOKEN)
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString()).withSim(7, 2_000, 200)
                .with("streams.dir", streams.toString()).with("warmup.ms", "200");
        app = FunnelApp.start(config, true);
        long until = System.nanoTime() + 60_000_000_000L;
        while (!app.readiness().ready() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertTrue(app.readiness().ready(), "ready within 60 s");
        // Its answer does not matter here (under load it may fall back): its DAG and node meters do.
        send("POST", "/v1/recommend", "{\"user_id\":\"u000042\",\"scene\":\"home\",\"count\":5}");
        assertEquals(202, send("POST", "/v1/feedback",
                "[{\"request_id\":\"r1\",\"user_id\":\"u000042\",\"item_id\":5,\"event\":\"click\"}]").statusCode());
        assertEquals(400, send("POST", "/v1/feedback", "[{\"event\":\"stare\"}]").statusCode());
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
            app = null; // the class stays loaded for the rest of the suite: let its world go
        }
    }

    @Test
    void everyFunnelFamilyHasHelpText() throws Exception {
        String scrape = send("GET", "/metrics", null).body();
        List<String> families = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (Matcher m = HELP.matcher(scrape); m.find(); ) {
            families.add(m.group(1));
            if (m.group(2).isBlank()) {
                empty.add(m.group(1));
            }
        }
        assertEquals(List.of(), empty, "funnel families with an empty # HELP line");
        // The families an operator audit found without text are all in this scrape: the check covers them.
        for (String f : List.of("funnel_batcher_rows_dropped_total", "funnel_dag_runs_total", "funnel_feedback_events_total",
                "funnel_feedback_batches_rejected_total", "funnel_item_updates_applied_total", "funnel_items_updates_total",
                "funnel_items_updates_rejected_total", "funnel_model_loads_total", "funnel_model_deltas_total",
                "funnel_model_sessions_open", "funnel_trainer_records_dropped_total", "funnel_warmup_requests_total")) {
            assertTrue(families.contains(f), f + " is in /metrics: " + families);
        }
    }

    /**
     * The two item-update counters count different things: {@code funnel_items_updates_total} the
     * items API writes this replica answered, {@code funnel_item_updates_applied_total} the
     * item-updates stream records it applied, whoever wrote them.
     */
    @Test
    void itemsApiWritesAndAppliedStreamRecordsAreCountedApart() throws Exception {
        MeterRegistry r = app.meterRegistry();
        double upserts = r.get("funnel.items.updates").tag("op", "upsert").counter().count();
        double applied = r.get("funnel_item_updates_applied_total").functionCounter().count();

        assertEquals(201, send("PUT", "/v1/items/9000077",
                "{\"category\":\"c1\",\"author\":\"a1\",\"status\":\"online\",\"popularity\":0.5}").statusCode());
        assertEquals(upserts + 1, r.get("funnel.items.updates").tag("op", "upsert").counter().count());
        assertEquals(applied + 1, r.get("funnel_item_updates_applied_total").functionCounter().count(),
                "the API's write went through the stream: applied before the answer");

        // Another writer of the stream (a catalog feed): applied here, not an items API write.
        app.env().require(Transport.class).appender(Topics.ITEM_UPDATES).append(new ItemUpdate(ItemUpdate.Op.UPSERT, 9_000_078,
                "c2", "a2", List.of(), true, 1L, 0.5, new float[0], 2L).encode());
        long until = System.nanoTime() + 30_000_000_000L;
        while (r.get("funnel_item_updates_applied_total").functionCounter().count() < applied + 2 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(applied + 2, r.get("funnel_item_updates_applied_total").functionCounter().count());
        assertEquals(upserts + 1, r.get("funnel.items.updates").tag("op", "upsert").counter().count());
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + TOKEN)
                .header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
