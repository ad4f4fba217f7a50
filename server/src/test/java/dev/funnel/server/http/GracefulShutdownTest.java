package dev.funnel.server.http;

import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shutdown stops accepting, lets the request in flight finish with its full answer, then closes. */
class GracefulShutdownTest {

    @Test
    void inFlightRequestCompletesAndNewConnectionsAreRefused() throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts("drain-token-123")
                .withDagsDir(Path.of("src/test/resources/drain-dags").toAbsolutePath().toString())
                .withSim(3, 2_000, 100);
        FunnelApp app = FunnelApp.start(config, true, List.of());
        try (TestHttp http = new TestHttp()) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!app.readiness().ready() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(app.readiness().ready(), app.readiness().toString());
            int port = app.httpPort();
            // Open the connection first, so only the stream is in flight when shutdown starts.
            assertEquals(200, http.call(http.h2c, io.vertx.core.http.HttpMethod.GET, port, "/health/live", null, java.util.Map.of()).status());
            CompletableFuture<TestHttp.Resp> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return http.post(http.h2c, port, "/v1/recommend", "{\"user_id\":\"u1\",\"scene\":\"slow\",\"count\":5}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (app.inFlight() == 0 && !slow.isDone()) {
                Thread.onSpinWait();
            }
            assertFalse(slow.isDone(), "the 400 ms request finished before shutdown began");
            app.close();
            TestHttp.Resp r = slow.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.status(), r.body());
            JsonObject j = r.json();
            assertEquals(5, j.getJsonArray("items").size(), r.body());
            assertFalse(j.getBoolean("partial"), r.body());
            assertEquals(0, app.inFlight());
            assertThrows(ExecutionException.class, () -> http.post(http.http11, port, "/v1/recommend",
                    "{\"user_id\":\"u1\",\"scene\":\"slow\"}"), "the port must be closed");
        } finally {
            app.close();
        }
    }
}
