package dev.funnel.server.exposure;

import dev.funnel.server.ConfigLoader;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.server.wiring.ModelWiring;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Funnel server for exposure tests: demo sim world (small), the exposure-dags directory,
 * cleartext port only, and the given {@code exposure.*} keys. In this JVM ({@link #start}) or as a
 * separate process ({@link #main}: prints {@code PORT <n>}, stops when its stdin closes).
 */
final class ExposureTestServer {

    static final Path DAGS = Path.of("src/test/resources/exposure-dags").toAbsolutePath();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ExposureTestServer() {
    }

    static FunnelApp start(Map<String, String> exposureKeys) throws Exception {
        return start(exposureKeys, DAGS);
    }

    static FunnelApp start(Map<String, String> exposureKeys, Path dags) throws Exception {
        Path props = Files.createTempFile("funnel-exposure-it", ".properties");
        StringBuilder sb = new StringBuilder();
        sb.append("http.host=127.0.0.1\nhttp.port=0\nhttps.port=-1\nserver.event_loops=2\nserver.worker_threads=2\n")
                .append("admin.token=test-admin-token\nsim.items=3000\nsim.users=200\n")
                .append(ModelWiring.TABLE_MAX_ROWS_KEY).append('=').append(TestServers.TABLE_MAX_ROWS).append('\n')
                .append("dags.dir=").append(dags.toString().replace("\\", "/")).append('\n');
        exposureKeys.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(props, sb.toString());
        FunnelConfig config = ConfigLoader.load(props, Map.of());
        FunnelApp app = FunnelApp.start(config, true, List.of(new TestCatalogWiring(), new RecordingFeedbackWiring()));
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!app.readiness().ready()) {
            if (System.nanoTime() > until) {
                app.close();
                throw new IllegalStateException("not ready after 60 s: " + app.readiness());
            }
            Thread.sleep(20); // waiting for a background catalog load: nothing to inject a clock into
        }
        return app;
    }

    /** Runs a server in its own process: args are {@code key=value} exposure settings. */
    public static void main(String[] args) throws Exception {
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            keys.put(a.substring(0, eq), a.substring(eq + 1));
        }
        FunnelApp app = start(keys);
        System.out.println("PORT " + app.httpPort());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // wait for the parent to close our stdin
        }
        app.close();
        System.exit(0);
    }

    /** POST /v1/recommend; returns the item ids, failing on any status but 200. */
    static long[] recommend(int port, String user, int count) throws IOException, InterruptedException {
        String body = "{\"user_id\":\"" + user + "\",\"scene\":\"home\",\"count\":" + count + "}";
        HttpResponse<String> r = post(port, "/v1/recommend", body);
        if (r.statusCode() != 200) {
            throw new AssertionError("recommend answered " + r.statusCode() + ": " + r.body());
        }
        JsonArray items = new JsonObject(r.body()).getJsonArray("items");
        long[] ids = new long[items.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = items.getJsonObject(i).getLong("item_id");
        }
        return ids;
    }

    static HttpResponse<String> post(int port, String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A counter from /metrics (summed over tags), or 0 when absent. */
    static double metric(int port, String name) throws IOException, InterruptedException {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    /** Polls a metric until it reaches {@code atLeast}, for writes that complete after the response. */
    static void awaitMetric(int port, String name, double atLeast) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (metric(port, name) < atLeast) {
            if (System.nanoTime() > until) {
                throw new AssertionError(name + " did not reach " + atLeast + " in 20 s (is " + metric(port, name) + ")");
            }
            Thread.sleep(20); // an asynchronous write in another process: polled, not timed
        }
    }
}
