package dev.funnel.server.sre;

import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;

/** A real server in demo mode (small sim world) over a temp copy of the shipped dag-configs. */
final class SreServerFixture implements AutoCloseable {

    static final String TOKEN = "sre-test-token";
    static final Path SHIPPED = Path.of("..", "dag-configs").toAbsolutePath().normalize();

    final Path dir;
    final FunnelApp app;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    SreServerFixture(Path tmp) throws Exception {
        this(tmp, c -> c);
    }

    /** With {@code tune} applied to the test config (a key a test needs set). */
    SreServerFixture(Path tmp, java.util.function.UnaryOperator<FunnelConfig> tune) throws Exception {
        this.dir = tmp;
        try (Stream<Path> s = Files.list(SHIPPED)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Files.copy(f, tmp.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        FunnelConfig config = tune.apply(TestServers.config().withEphemeralPorts(TOKEN).withDagsDir(tmp.toString())
                .withSim(7, 3_000, 300));
        this.app = FunnelApp.start(config, true);
        awaitReady();
        // Warm the JIT: the first requests on a cold JVM can take longer than home_feed's 60 ms budget.
        for (int i = 0; i < 100; i++) {
            post("/v1/recommend", new JsonObject().put("user_id", String.format("u%06d", i % 300)).put("scene", "home")
                    .put("count", 10).encode(), false);
        }
    }

    private void awaitReady() throws Exception {
        long t0 = System.nanoTime();
        while (get("/health/ready", false).statusCode() != 200) {
            if (System.nanoTime() - t0 > 60_000_000_000L) {
                throw new AssertionError("server not ready in 60 s: " + get("/health/ready", false).body());
            }
            Thread.sleep(50);
        }
    }

    String base() {
        return "http://127.0.0.1:" + app.httpPort();
    }

    HttpResponse<String> get(String path, boolean admin) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10)).GET();
        if (admin) {
            b.header("authorization", "Bearer " + TOKEN);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json, boolean admin) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (admin) {
            b.header("authorization", "Bearer " + TOKEN);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * One recommendation. A 503 (the 60 ms budget ran out) is retried a few times: these tests are
     * about reload, explain and the console, and the shared 2-core test machine is often loaded.
     */
    JsonObject recommend(String user, int count) throws IOException, InterruptedException {
        HttpResponse<String> r = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            r = post("/v1/recommend", new JsonObject().put("user_id", user).put("scene", "home").put("count", count).encode(), false);
            if (r.statusCode() != 503) {
                break;
            }
            Thread.sleep(20);
        }
        if (r.statusCode() != 200) {
            throw new AssertionError("recommend answered " + r.statusCode() + ": " + r.body());
        }
        return new JsonObject(r.body());
    }

    @Override
    public void close() {
        app.close();
    }
}
