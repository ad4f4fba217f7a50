package dev.funnel.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.server.serving.WarmUp;
import dev.funnel.server.wiring.FeatureWiring;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up on a real server: readiness waits for it; its requests are served in full
 * over the TLS port but fire no response hook and stay out of the HTTP meters; a request with a
 * wrong token is an ordinary request.
 */
class WarmUpTest {

    @Test
    void aBadUsersFileFailsTheStartAndNamesTheFile() {
        FunnelConfig config = TestServers.config().withEphemeralPorts("warm-up-test-token")
                .withDagsDir(FunnelServerTestSupport.DAGS.toString()).withSim(11, 3_000, 200)
                .with(WarmUp.MILLIS_KEY, "1500").with(WarmUp.USERS_FILE_KEY, "/nonexistent/users.txt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FunnelApp.start(config, true, List.of()).close());
        assertTrue(e.getMessage().contains("warmup.users_file") && e.getMessage().contains("/nonexistent/users.txt"),
                e.getMessage());
    }

    @Test
    void aNegativeDurationFailsTheStartRatherThanMeaningNone() {
        FunnelConfig config = TestServers.config().withEphemeralPorts("warm-up-test-token")
                .withDagsDir(FunnelServerTestSupport.DAGS.toString()).withSim(11, 3_000, 200).with(WarmUp.MILLIS_KEY, "-5");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FunnelApp.start(config, true, List.of()).close());
        assertEquals("warmup.ms must be >= 0 (0 = no warm-up), got -5", e.getMessage());
    }

    @Test
    void readinessWaitsForSelfTrafficThatRecordsNothing() throws Exception {
        AtomicInteger hooked = new AtomicInteger();
        FeatureWiring recorder = ctx -> ctx.responseHooks().add((request, served, result) -> hooked.incrementAndGet());
        FunnelConfig config = TestServers.config().withEphemeralPorts("warm-up-test-token").withDagsDir(FunnelServerTestSupport.DAGS.toString())
                .withSim(11, 3_000, 200).with(WarmUp.MILLIS_KEY, "3000").with(WarmUp.CONCURRENCY_KEY, "8");
        try (FunnelApp app = FunnelApp.start(config, true, List.of(recorder)); TestHttp http = new TestHttp()) {
            assertEquals(Boolean.FALSE, app.readiness().gates().get(WarmUp.GATE), "warm-up gate closed at start");
            assertFalse(app.readiness().ready());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!app.readiness().ready()) {
                assertTrue(System.nanoTime() < until, "not ready after 90 s: " + app.readiness());
                Thread.sleep(20);
            }
            Counter ok = app.meterRegistry().find("funnel.warmup.requests").tag("status", "200").counter();
            assertNotNull(ok, "no warm-up request answered 200: " + app.meterRegistry().scrape());
            assertTrue(ok.count() >= 20, "warm-up served only " + ok.count() + " requests in 3 s");
            assertEquals(0, hooked.get(), "warm-up requests fired response hooks (exposure, impression log)");
            Timer served = app.meterRegistry().find("funnel.http.requests").tag("endpoint", "recommend").timer();
            assertTrue(served == null || served.count() == 0, "warm-up counted in the HTTP meters");
            double admitted = app.meterRegistry().find("funnel.admission.admitted").functionCounters().stream()
                    .mapToDouble(c -> c.count()).sum();
            assertEquals(0.0, admitted, "warm-up requests took admission permits");
            assertEquals(200, http.call(http.h2c, HttpMethod.GET, app.httpPort(), "/health/ready", null, Map.of()).status());

            // Someone guessing the header is an ordinary client.
            TestHttp.Resp r = http.call(http.h2c, HttpMethod.POST, app.httpPort(), "/v1/recommend",
                    "{\"user_id\":\"u000001\",\"scene\":\"home\",\"count\":5}",
                    Map.of("content-type", "application/json", WarmUp.HEADER, "guess"));
            assertEquals(200, r.status(), r.body());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (hooked.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, hooked.get(), "the hook fires for an ordinary request");
            served = app.meterRegistry().find("funnel.http.requests").tag("endpoint", "recommend").timer();
            assertNotNull(served);
            assertEquals(1, served.count());
        }
    }
}
