package dev.funnel.server.http;

import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code DELETE /admin/dags/{name}} against a real server (sim world, hot reload on) over h2c with
 * prior knowledge: an upload is undone (the file's version back, or the DAG gone when it has no
 * file and no route), a directory DAG or one a route needs is refused, and the scene keeps being
 * answered throughout.
 */
class AdminDagDeleteTest {

    static final String TOKEN = "dag-delete-test-token";
    static final String FEED = """
            dag: feed
            deadline_ms: 500
            nodes:
              hot: {op: recall.hot, params: {limit: 50}}
              top: {op: rerank.truncate, after: [hot], params: {size: 10}}
            output: top
            """;
    static final String ROUTING = """
            scenes:
              feed:
                routes:
                  - {name: default, dag: feed, traffic: 100}
            """;

    @TempDir
    static Path dags;
    static FunnelApp app;
    static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(dags.resolve("feed.yaml"), FEED);
        Files.writeString(dags.resolve("routing.yaml"), ROUTING);
        FunnelConfig config = TestServers.config().withEphemeralPorts(TOKEN).withDagsDir(dags.toString())
                .withSim(7, 2_000, 50).with("reload.poll_ms", "50");
        app = FunnelApp.start(config, true);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!app.readiness().ready()) { // the catalog loads in the background
            assertTrue(System.nanoTime() < until, "not ready after 60 s: " + app.readiness());
            Thread.sleep(20);
        }
        http = new TestHttp();
    }

    @AfterAll
    static void stop() throws Exception {
        if (http != null) {
            http.close();
        }
        if (app != null) {
            app.close();
            app = null; // the class stays loaded for the rest of the suite: let its world go
        }
    }

    @Test
    void deletingAnUploadOfADirectoryDagPutsTheFilesVersionBackWhileTheSceneIsServed() throws Exception {
        try (SceneTraffic traffic = new SceneTraffic("feed")) {
            JsonObject before = admin(HttpMethod.GET, "/admin/dags/feed", null).json();
            assertEquals("directory", before.getString("origin"));
            TestHttp.Resp put = admin(HttpMethod.PUT, "/admin/dags/feed", FEED.replace("limit: 50", "limit: 40"));
            assertEquals(200, put.status(), put.body());
            assertNotEquals(before.getString("version"), put.json().getString("version"));
            assertEquals("upload", listed("feed").getString("origin"));

            TestHttp.Resp deleted = admin(HttpMethod.DELETE, "/admin/dags/feed", null);
            assertEquals(200, deleted.status(), deleted.body());
            JsonObject d = deleted.json();
            assertEquals("feed", d.getString("dag"));
            assertEquals("restored", d.getString("outcome"));
            assertEquals(before.getString("version"), d.getString("version"), "the file's version, compiled again");
            assertEquals("directory", d.getString("origin"));
            assertEquals(dags.resolve("feed.yaml").toString(), d.getString("file"));
            assertTrue(d.getBoolean("live"));

            JsonObject listed = listed("feed");
            assertEquals("directory", listed.getString("origin"), "GET /admin/dags shows it");
            assertEquals(before.getString("version"), listed.getString("version"));
            assertEquals(FEED, admin(HttpMethod.GET, "/admin/dags/feed", null).json().getString("source"));
            assertEquals(before.getString("version"), recommend("feed").getJsonObject("versions").getString("dag"),
                    "the route serves the file's version at once");

            // Nothing is uploaded now: the directory's own DAG is refused, and says what to do instead.
            JsonObject refused = documentedError(admin(HttpMethod.DELETE, "/admin/dags/feed", null), 409);
            assertEquals("dag_from_directory", refused.getString("code"));
            assertEquals(dags.resolve("feed.yaml").toString(), refused.getString("file"));
            assertTrue(refused.getString("message").contains(dags.resolve("feed.yaml").toString())
                    && refused.getString("message").contains("delete it"), refused.encode());
            assertEquals(before.getString("version"), listed("feed").getString("version"), "nothing changed");
            traffic.assertAllAnswered();
        }
    }

    @Test
    void anUploadWithoutAFileIsRemovedOnlyOnceNoRouteUsesIt() throws Exception {
        try (SceneTraffic traffic = new SceneTraffic("feed")) {
            String extra = FEED.replace("dag: feed", "dag: extra");
            assertEquals(200, admin(HttpMethod.PUT, "/admin/dags/extra", extra).status());
            String routing = ROUTING.replace("traffic: 100}", "traffic: 90}") + """
                          - {name: trial, dag: extra, traffic: 10}
                          - {name: dark, dag: extra, traffic: 0}
                      side:
                        routes:
                          - {name: only, dag: extra, traffic: 100}
                    """;
            TestHttp.Resp routes = admin(HttpMethod.PUT, "/admin/routes", routing);
            assertEquals(200, routes.status(), routes.body());

            JsonObject inUse = documentedError(admin(HttpMethod.DELETE, "/admin/dags/extra", null), 409);
            assertEquals("dag_in_use", inUse.getString("code"));
            assertEquals(new JsonArray()
                    .add(new JsonObject().put("scene", "feed").put("route", "trial").put("traffic", 10.0))
                    .add(new JsonObject().put("scene", "feed").put("route", "dark").put("traffic", 0.0))
                    .add(new JsonObject().put("scene", "side").put("route", "only").put("traffic", 100.0)),
                    inUse.getJsonArray("routes"), inUse.encode());
            assertTrue(inUse.getString("message").contains("side/only"), inUse.encode());
            assertEquals("upload", listed("extra").getString("origin"), "still live");
            assertEquals(listed("extra").getString("version"), recommend("side").getJsonObject("versions").getString("dag"),
                    "its routes still serve");

            assertEquals(200, admin(HttpMethod.PUT, "/admin/routes", ROUTING).status());
            TestHttp.Resp deleted = admin(HttpMethod.DELETE, "/admin/dags/extra", null);
            assertEquals(200, deleted.status(), deleted.body());
            assertEquals(new JsonObject().put("dag", "extra").put("outcome", "removed").put("live", false), deleted.json());
            assertNull(listedOrNull("extra"), "GET /admin/dags no longer lists it");
            assertEquals("unknown_dag", documentedError(admin(HttpMethod.GET, "/admin/dags/extra", null), 404).getString("code"));
            JsonObject again = documentedError(admin(HttpMethod.DELETE, "/admin/dags/extra", null), 404);
            assertEquals("unknown_dag", again.getString("code"));
            assertEquals("name", again.getString("field"));
            traffic.assertAllAnswered();
        }
    }

    @Test
    void aBadNameIs400AndNoTokenIs401AsForGet() throws Exception {
        assertEquals("invalid_name", documentedError(admin(HttpMethod.DELETE, "/admin/dags/bad%20name", null), 400)
                .getString("code"));
        TestHttp.Resp noToken = http.call(http.h2c, HttpMethod.DELETE, app.httpPort(), "/admin/dags/feed", null, Map.of());
        assertEquals(401, noToken.status(), noToken.body());
        assertEquals("directory", listed("feed").getString("origin"));
    }

    /**
     * Through the real poller: DELETE puts back what the file last made live (an edit that reloaded
     * before the upload), a reload of the file still replaces an upload (after which there is nothing
     * to undo), and a file deleted from the directory frees its DAG for DELETE.
     */
    @Test
    void deleteAndHotReloadAgree() throws Exception {
        try (SceneTraffic traffic = new SceneTraffic("feed")) {
            String edited = FEED.replace("limit: 50", "limit: 60");
            Files.writeString(dags.resolve("feed.yaml"), edited);
            JsonObject reloaded = awaitDag("feed", d -> d != null && edited.equals(d.getString("source")));
            assertEquals(200, admin(HttpMethod.PUT, "/admin/dags/feed", FEED.replace("limit: 50", "limit: 40")).status());
            TestHttp.Resp restored = admin(HttpMethod.DELETE, "/admin/dags/feed", null);
            assertEquals(200, restored.status(), restored.body());
            assertEquals(reloaded.getString("version"), restored.json().getString("version"), "the edit that reloaded, not the start's");
            assertEquals(edited, awaitDag("feed", d -> true).getString("source"));

            assertEquals(200, admin(HttpMethod.PUT, "/admin/dags/feed", FEED.replace("limit: 50", "limit: 40")).status());
            String editedAgain = FEED.replace("limit: 50", "limit: 70");
            Files.writeString(dags.resolve("feed.yaml"), editedAgain);
            awaitDag("feed", d -> d != null && editedAgain.equals(d.getString("source")) && "directory".equals(d.getString("origin")));
            assertEquals("dag_from_directory", documentedError(admin(HttpMethod.DELETE, "/admin/dags/feed", null), 409)
                    .getString("code"), "the file's reload replaced the upload, as before");

            Path gone = dags.resolve("gone.yaml");
            Files.writeString(gone, FEED.replace("dag: feed", "dag: gone"));
            awaitDag("gone", d -> d != null);
            assertEquals("dag_from_directory", documentedError(admin(HttpMethod.DELETE, "/admin/dags/gone", null), 409)
                    .getString("code"));
            Files.delete(gone);
            TestHttp.Resp removed = null;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < until) { // 409 until reload has seen the file go; nothing changes meanwhile
                removed = admin(HttpMethod.DELETE, "/admin/dags/gone", null);
                if (removed.status() != 409) {
                    break;
                }
                Thread.sleep(50);
            }
            assertEquals(200, removed.status(), removed.body());
            assertEquals("removed", removed.json().getString("outcome"));
            assertNull(listedOrNull("gone"));

            Files.writeString(dags.resolve("feed.yaml"), FEED);
            awaitDag("feed", d -> d != null && FEED.equals(d.getString("source")));
            assertEquals(List.of(), new JsonObject(admin(HttpMethod.GET, "/admin/reload", null).body()).getJsonArray("files").stream()
                    .map(JsonObject.class::cast).filter(f -> "failed".equals(f.getString("state"))).toList(), "nothing failed");
            traffic.assertAllAnswered();
        }
    }

    /** The error object of a response with the README's error body, as {@link AdminApiTest#documentedError} checks it. */
    private static JsonObject documentedError(TestHttp.Resp r, int status) {
        assertEquals(status, r.status(), r.body());
        JsonObject error = r.json().getJsonObject("error");
        assertEquals(status, error.getInteger("status"), r.body());
        assertFalse(error.getString("code").isEmpty(), r.body());
        assertFalse(error.getString("message").isEmpty(), r.body());
        assertTrue(error.containsKey("field"), r.body());
        return error;
    }

    /** Polls GET /admin/dags/{name} (null when 404) until {@code done} holds, for up to 10 s. */
    private static JsonObject awaitDag(String name, Predicate<JsonObject> done) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            TestHttp.Resp r = admin(HttpMethod.GET, "/admin/dags/" + name, null);
            JsonObject d = r.status() == 404 ? null : r.json();
            if (done.test(d)) {
                return d;
            }
            assertTrue(System.nanoTime() < until, "dag " + name + " not as expected after 10 s: " + r.body());
            Thread.sleep(50);
        }
    }

    private static JsonObject listed(String name) throws Exception {
        JsonObject d = listedOrNull(name);
        assertFalse(d == null, name + " is not listed");
        return d;
    }

    private static JsonObject listedOrNull(String name) throws Exception {
        TestHttp.Resp r = admin(HttpMethod.GET, "/admin/dags", null);
        assertEquals(200, r.status(), r.body());
        return r.json().getJsonArray("dags").stream().map(JsonObject.class::cast)
                .filter(d -> d.getString("name").equals(name)).findFirst().orElse(null);
    }

    private static JsonObject recommend(String scene) throws Exception {
        TestHttp.Resp r = http.post(http.h2c, app.httpPort(), "/v1/recommend",
                "{\"user_id\":\"u000001\",\"scene\":\"" + scene + "\",\"count\":5}");
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static TestHttp.Resp admin(HttpMethod method, String path, String body) throws Exception {
        return http.call(http.h2c, method, app.httpPort(), path, body, Map.of("authorization", "Bearer " + TOKEN));
    }

    /**
     * Recommendations for one scene on their own h2c connection, back to back on another thread,
     * while a test changes what serves: every one must be answered 200.
     */
    private static final class SceneTraffic implements AutoCloseable {
        private final TestHttp client = new TestHttp();
        private final AtomicInteger answered = new AtomicInteger();
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile boolean stop;

        SceneTraffic(String scene) {
            thread = new Thread(() -> {
                for (int i = 0; !stop; i++) {
                    String body = "{\"user_id\":\"" + String.format("u%06d", i % 50) + "\",\"scene\":\"" + scene + "\",\"count\":5}";
                    try {
                        TestHttp.Resp r = client.post(client.h2c, app.httpPort(), "/v1/recommend", body);
                        if (r.status() == 200) {
                            answered.incrementAndGet();
                        } else {
                            failures.add(r.status() + " " + r.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }, "scene-traffic");
            thread.setDaemon(true);
            thread.start();
        }

        void assertAllAnswered() throws Exception {
            stop = true;
            thread.join(TimeUnit.SECONDS.toMillis(30));
            List<String> failed = List.copyOf(failures);
            assertEquals(List.of(), failed.subList(0, Math.min(5, failed.size())), failed.size() + " request(s) not answered 200");
            assertTrue(answered.get() > 0, "no request was answered");
        }

        @Override
        public void close() throws Exception {
            stop = true;
            thread.join(TimeUnit.SECONDS.toMillis(30));
            client.close();
        }
    }
}
