package dev.funnel.server.admission;

import dev.funnel.server.ConfigLoader;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission control on the real server: one event loop, a fixed bound of 2, a DAG that holds each
 * request 400 ms. Two requests in flight, the third is shed at once with 503 + Retry-After (while
 * the two are still running), and once they finish the server admits again.
 */
class AdmissionHttpTest {

    @Test
    void shedsPastTheBoundWithRetryAfterAndRecovers(@TempDir Path dags) throws Exception {
        FunnelConfig config = server(dags, """
                  hot:  {op: recall.hot, params: {limit: 5}}
                  hold: {op: debug.delay, after: [hot], params: {delay_ms: 400}, deadline_ms: 1500}
                output: hold
                """, Map.of("FUNNEL_ADMISSION_MAX", "2",
                        "FUNNEL_ADMISSION_TARGET_MS", "0",
                        "FUNNEL_ADMISSION_DELAY_TARGET_MS", "0")); // this test is about the in-flight bound alone
        assertEquals(AdmissionConfig.fixed(2).maxInFlight(), AdmissionHandler.configFrom(config).maxInFlight());
        assertFalse(AdmissionHandler.configFrom(config).adaptive());
        assertFalse(AdmissionHandler.delayConfigFrom(config).enabled());

        try (FunnelApp app = FunnelApp.start(config, true)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/recommend");
            awaitServing(client, uri);

            CompletableFuture<HttpResponse<String>> first = client.sendAsync(recommend(uri, "u000001"), HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> second = client.sendAsync(recommend(uri, "u000002"), HttpResponse.BodyHandlers.ofString());
            awaitInFlight(app, 2);

            HttpResponse<String> shed = client.send(recommend(uri, "u000003"), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, shed.statusCode(), shed.body());
            assertEquals("1", shed.headers().firstValue("retry-after").orElse(null));
            assertTrue(shed.body().contains("\"code\":\"overloaded\""), shed.body());
            assertFalse(first.isDone() || second.isDone(), "shed while the admitted requests were still running");

            assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
            assertEquals(200, second.get(10, TimeUnit.SECONDS).statusCode());
            awaitInFlight(app, 0);
            HttpResponse<String> after = client.send(recommend(uri, "u000004"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, after.statusCode(), "admits again once load falls: " + after.body());

            FunctionCounter rejected = app.meterRegistry().find("funnel.admission.rejected").functionCounter();
            assertEquals(1.0, rejected.count());
            assertTrue(app.meterRegistry().find("funnel.http.requests").tag("status", "503").timer().count() >= 1);
        }
    }

    /**
     * Clients that send a recommend's headers and then stall mid-body hold no admission permit: with
     * a bound of 2 and three such clients waiting, a fourth client is served. The idle timeout then
     * closes the stalled connections.
     */
    @Test
    void clientsStalledMidBodyHoldNoPermitAndTheIdleTimeoutClosesThem(@TempDir Path dags) throws Exception {
        FunnelConfig config = server(dags, """
                  hot: {op: recall.hot, params: {limit: 5}}
                output: hot
                """, Map.of("FUNNEL_ADMISSION_MAX", "2",
                        "FUNNEL_ADMISSION_TARGET_MS", "0",
                        "FUNNEL_ADMISSION_DELAY_TARGET_MS", "0",
                        "FUNNEL_SERVER_IDLE_TIMEOUT_S", "2"));
        assertEquals(2, config.idleTimeoutSeconds());
        try (FunnelApp app = FunnelApp.start(config, true)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/recommend");
            awaitServing(client, uri);

            java.util.List<java.net.Socket> stalled = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    java.net.Socket s = new java.net.Socket("127.0.0.1", app.httpPort());
                    stalled.add(s);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(("POST /v1/recommend HTTP/1.1\r\nHost: localhost\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    // The server asks for the body: the request has been routed to where it waits for it.
                    String status = readLine(s.getInputStream());
                    assertTrue(status.startsWith("HTTP/1.1 100"), status);
                    s.getOutputStream().write('{'); // 1 of the 100 bytes, then nothing
                }
                assertEquals(0.0, app.meterRegistry().find("funnel.admission.in.flight").gauge().value(),
                        "requests waiting for their body hold no permit");
                HttpResponse<String> served = client.send(recommend(uri, "u000007"), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, served.statusCode(), served.body());

                for (java.net.Socket s : stalled) { // read what is left (the 100's blank line) up to the server's close
                    try {
                        while (s.getInputStream().read() != -1) {
                            // until end of stream
                        }
                    } catch (java.net.SocketTimeoutException e) {
                        throw new AssertionError("a connection stalled mid-body was still open after 10 s (idle timeout 2 s)", e);
                    }
                }
            } finally {
                for (java.net.Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    private static String readLine(java.io.InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().trim();
    }

    /**
     * CPU-based shedding on the real server: while threads of the same process keep every core
     * busy, its CPU use stands above an 80% target and {@code /v1/recommend} answers 503 with
     * Retry-After, counted as CPU sheds; once they stop, it serves again.
     */
    @Test
    void shedsWhileTheProcessCpuIsAboveItsTargetAndRecovers(@TempDir Path dags) throws Exception {
        FunnelConfig config = server(dags, """
                  hot: {op: recall.hot, params: {limit: 5}}
                output: hot
                """, Map.of("FUNNEL_ADMISSION_TARGET_MS", "0",
                        "FUNNEL_ADMISSION_DELAY_TARGET_MS", "0", // this test is about the CPU signal alone
                        "FUNNEL_ADMISSION_CPU_TARGET_PERCENT", "80",
                        "FUNNEL_ADMISSION_CPU_INTERVAL_MS", "50"));
        assertEquals(CpuLoadConfig.of(80, 50), AdmissionHandler.cpuConfigFrom(config));

        try (FunnelApp app = FunnelApp.start(config, true)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/recommend");
            awaitServing(client, uri);
            // The shedder decides only once the server is ready (start-up work is not overload).
            URI ready = URI.create("http://127.0.0.1:" + app.httpPort() + "/health/ready");
            long readyBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (client.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                assertTrue(System.nanoTime() < readyBy, "server not ready within 30 s");
                Thread.sleep(20);
            }

            java.util.concurrent.atomic.AtomicBoolean spin = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread[] burners = new Thread[Runtime.getRuntime().availableProcessors()];
            for (int i = 0; i < burners.length; i++) {
                burners[i] = new Thread(() -> {
                    long x = 0;
                    while (spin.get()) {
                        x += System.nanoTime() & 1;
                    }
                    if (x == 42) {
                        System.out.print(""); // keep the loop from being optimised away
                    }
                }, "cpu-burner-" + i);
                burners[i].start();
            }
            HttpResponse<String> shed;
            double utilWhileShedding;
            try {
                shed = awaitStatus(client, uri, 503);
                // The highest reading over the next half second, burners still running: one reading taken just
                // after the 503 could be a sample where another process on the machine got a core (0.7997 once).
                Gauge util = app.meterRegistry().find("funnel.admission.cpu.utilization").gauge();
                utilWhileShedding = util.value();
                for (long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500); System.nanoTime() < end; ) {
                    utilWhileShedding = Math.max(utilWhileShedding, util.value());
                    Thread.sleep(10);
                }
            } finally {
                spin.set(false);
                for (Thread t : burners) {
                    t.join();
                }
            }
            assertEquals("1", shed.headers().firstValue("retry-after").orElse(null));
            assertTrue(shed.body().contains("\"code\":\"overloaded\""), shed.body());
            FunctionCounter cpuSheds = app.meterRegistry().find("funnel.admission.shed.cpu").functionCounter();
            assertTrue(cpuSheds.count() >= 1, "counted as a CPU shed");
            assertTrue(utilWhileShedding > 0.8, "utilization " + utilWhileShedding);

            // The burners stopped: CPU falls below the target and the share back to 0, then every request is served.
            Gauge share = app.meterRegistry().find("funnel.admission.cpu.shed.fraction").gauge();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (share.value() > 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(0.0, share.value(), "shedding ended once the CPU fell");
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> after = client.send(recommend(uri, "u000006"), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, after.statusCode(), after.body());
                Thread.sleep(10); // light load: this client shares the process, and its CPU counts too
            }
        }
    }

    /**
     * Writes scene {@code held} routed to DAG {@code held} (2 s deadline) with these nodes and output,
     * and returns the config of a one-loop server on a free port serving it, with {@code admission}'s
     * settings.
     */
    private static FunnelConfig server(Path dags, String nodesAndOutput, Map<String, String> admission) throws Exception {
        Files.writeString(dags.resolve("held.yaml"), "dag: held\ndeadline_ms: 2000\nnodes:\n" + nodesAndOutput);
        Files.writeString(dags.resolve("routing.yaml"), """
                scenes:
                  held:
                    routes:
                      - {name: default, dag: held, traffic: 100}
                """);
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "FUNNEL_HTTP_HOST", "127.0.0.1",
                "FUNNEL_HTTP_PORT", "0",
                "FUNNEL_HTTPS_PORT", "-1",
                "FUNNEL_SERVER_EVENT_LOOPS", "1",
                "FUNNEL_DAGS_DIR", dags.toString(),
                "FUNNEL_ADMIN_TOKEN", "admission-test-token",
                "FUNNEL_SIM_ITEMS", "2000",
                "FUNNEL_SIM_USERS", "50",
                TestServers.TABLE_MAX_ROWS_ENV, TestServers.TABLE_MAX_ROWS));
        env.putAll(admission);
        return ConfigLoader.load(null, env);
    }

    /** The CPU target through the admin API: read, set live, refused with a 400 that keeps the old one, off. */
    @Test
    void theCpuTargetIsReadAndSetLiveThroughTheAdminApi(@TempDir Path dags) throws Exception {
        FunnelConfig config = server(dags, """
                  hot: {op: recall.hot, params: {limit: 5}}
                output: hot
                """, Map.of());
        try (FunnelApp app = FunnelApp.start(config, true)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create("http://127.0.0.1:" + app.httpPort() + "/admin/admission/cpu");
            HttpResponse<String> noToken = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, noToken.statusCode(), noToken.body());

            HttpResponse<String> get = admin(client, uri, null);
            assertEquals(200, get.statusCode(), get.body());
            assertTrue(get.body().contains("\"target_percent\":0"), get.body());
            assertTrue(get.body().contains("\"utilization\":"), get.body());

            HttpResponse<String> set = admin(client, uri, "{\"target_percent\": 65}");
            assertEquals(200, set.statusCode(), set.body());
            assertTrue(set.body().contains("\"target_percent\":65"), set.body());

            HttpResponse<String> tooHigh = admin(client, uri, "{\"target_percent\": 100}");
            assertEquals(400, tooHigh.statusCode(), tooHigh.body());
            assertTrue(tooHigh.body().contains("admission.cpu.target.percent must be in 1..99 (0 = off), got 100"), tooHigh.body());
            assertTrue(tooHigh.body().contains("\"field\":\"target_percent\""), tooHigh.body());
            HttpResponse<String> notANumber = admin(client, uri, "{\"target_percent\": \"high\"}");
            assertEquals(400, notANumber.statusCode(), notANumber.body());
            assertTrue(notANumber.body().contains("got 'high'"), notANumber.body());
            HttpResponse<String> notJson = admin(client, uri, "target=65");
            assertEquals(400, notJson.statusCode(), notJson.body());
            assertTrue(admin(client, uri, null).body().contains("\"target_percent\":65"), "refusals keep the old target");

            HttpResponse<String> off = admin(client, uri, "{\"target_percent\": 0}");
            assertEquals(200, off.statusCode(), off.body());
            assertTrue(off.body().contains("\"target_percent\":0"), off.body());
        }
    }

    /** GET {@code uri} (body null) or PUT {@code body} to it, with the test's admin token. */
    private static HttpResponse<String> admin(HttpClient client, URI uri, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer admission-test-token");
        b = body == null ? b.GET() : b.header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends recommends until one answers {@code status} (10 s at most), and returns it. */
    private static HttpResponse<String> awaitStatus(HttpClient client, URI uri, int status) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HttpResponse<String> last = null;
        while (System.nanoTime() < until) {
            last = client.send(recommend(uri, "u000005"), HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no " + status + " within 10 s; last " + (last == null ? "none" : last.statusCode() + " " + last.body()));
    }

    private static HttpRequest recommend(URI uri, String user) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user_id\":\"" + user + "\",\"scene\":\"held\",\"count\":3}"))
                .build();
    }

    /** The catalog loads in the background: wait until a recommend answers 200. */
    private static void awaitServing(HttpClient client, URI uri) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int status = 0;
        while (System.nanoTime() < until) {
            status = client.send(recommend(uri, "u000000"), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("server did not serve within 60 s, last status " + status);
    }

    private static void awaitInFlight(FunnelApp app, int expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double now = -1;
        while (System.nanoTime() < until) {
            Gauge g = app.meterRegistry().find("funnel.admission.in.flight").gauge();
            now = g == null ? -1 : g.value();
            if (now == expected) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("admission in-flight never reached " + expected + ", last " + now);
    }
}
