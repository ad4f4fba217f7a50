package dev.funnel.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A DAG whose output node has nothing when its budget runs out answers {@code 503 dag_failed} with
 * {@code Retry-After}, as a shed request does, and says which node left it empty.
 */
class DagFailedTest {

    @Test
    void aRequestWhoseOutputNeverArrivesIs503WithRetryAfter() throws Exception {
        String dags = Path.of("src/test/resources/failing-dags").toAbsolutePath().toString();
        FunnelConfig config = TestServers.config().withEphemeralPorts("dag-failed-test-token").withDagsDir(dags)
                .withSim(5, 2_000, 100);
        try (FunnelApp app = FunnelApp.start(config, true, List.of()); TestHttp http = new TestHttp()) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!app.readiness().ready()) {
                assertTrue(System.nanoTime() < until, "not ready after 60 s: " + app.readiness());
                Thread.sleep(20);
            }
            TestHttp.Resp r = http.call(http.h2c, HttpMethod.POST, app.httpPort(), "/v1/recommend",
                    "{\"user_id\":\"u000001\",\"scene\":\"nothing\",\"count\":5}", Map.of("content-type", "application/json"));
            assertEquals(503, r.status(), r.body());
            assertEquals("1", r.headers().get("retry-after"), "headers: " + r.headers());
            JsonObject error = r.json().getJsonObject("error");
            assertEquals("dag_failed", error.getString("code"));
            assertTrue(error.getString("message").contains("output node 'late' produced no output"), error.getString("message"));
        }
    }
}
