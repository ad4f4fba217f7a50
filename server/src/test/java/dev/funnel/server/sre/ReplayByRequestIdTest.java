package dev.funnel.server.sre;

import dev.funnel.server.serving.RecentRequests;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /admin/explain {"request_id"}} against a real server that keeps its last
 * {@value #KEPT} served requests: a served request is replayed with its own inputs, an id that is
 * not kept is a 404, and only the last {@value #KEPT} are kept.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplayByRequestIdTest {

    static final int KEPT = 5;
    static final JsonObject CONTEXT = new JsonObject().put("device", "ios").put("page", 2);

    @TempDir
    static Path tmp;
    static SreServerFixture server;

    @BeforeAll
    static void start() throws Exception {
        server = new SreServerFixture(tmp, c -> c.with(RecentRequests.CAPACITY_KEY, Integer.toString(KEPT)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Test
    @Order(1)
    void aServedRequestIsReplayedWithTheUserSceneCountAndContextItWasServedWith() throws Exception {
        JsonObject served = recommend(new JsonObject().put("user_id", "u000042").put("scene", "home").put("count", 7)
                .put("context", CONTEXT).put("exclude", new JsonArray().add(1).add(2)));
        String id = served.getString("request_id");

        JsonObject ex = explain(new JsonObject().put("request_id", id).put("deadline_ms", 2_000), 200);
        assertEquals("u000042", ex.getString("user_id"), "the replay ran as the served user: " + ex.encode());
        assertEquals(CONTEXT, ex.getJsonObject("context"), "the replay ran with the served context");
        assertTrue(ex.getJsonArray("items").size() <= 7, ex.encode());
        JsonObject replayed = ex.getJsonObject("replayed");
        assertEquals(id, replayed.getString("request_id"), replayed.encode());
        assertEquals("u000042", replayed.getString("user_id"));
        assertEquals("home", replayed.getString("scene"));
        assertEquals(7, replayed.getInteger("count"));
        assertEquals(CONTEXT, replayed.getJsonObject("context"));
        assertEquals(new JsonArray().add(1).add(2), replayed.getJsonArray("exclude"));
        JsonObject versions = served.getJsonObject("versions");
        assertEquals(versions.getString("dag"), replayed.getJsonObject("served_by").getString("dag"));
        assertEquals(versions.getString("route"), replayed.getJsonObject("served_by").getString("route"));
        assertEquals(versions.getJsonObject("models"), replayed.getJsonObject("served_by").getJsonObject("models"));
        Instant at = Instant.parse(replayed.getString("served_at"));
        assertTrue(Duration.between(at, Instant.now()).abs().toMinutes() < 5, "served_at " + at);
        assertTrue(replayed.getString("note").contains("state now") && replayed.getString("note").contains("may differ"),
                replayed.getString("note"));

        HttpResponse<String> text = server.post("/admin/explain?format=text",
                new JsonObject().put("request_id", id).put("deadline_ms", 2_000).encode(), true);
        assertEquals(200, text.statusCode(), text.body());
        assertTrue(text.body().startsWith("replay of request " + id + ", served " + at), text.body());
        assertTrue(text.body().contains("user=u000042 scene=home count=7 context={\"device\":\"ios\",\"page\":2} exclude=[1, 2]"),
                text.body());
        assertTrue(text.body().contains("note: Replayed with the recorded inputs against this server's state now"), text.body());
        assertTrue(text.body().contains("\nfinal: "), "the trace follows: " + text.body());
    }

    @Test
    @Order(2)
    void aReplayCombinesWithADagOverridesAndCompareButNotWithTypedInInputs() throws Exception {
        String id = recommend(new JsonObject().put("user_id", "u000007").put("scene", "home").put("count", 50)
                .put("context", CONTEXT)).getString("request_id");
        JsonObject cmp = explain(new JsonObject().put("request_id", id).put("dag", "home_feed").put("deadline_ms", 2_000)
                .put("compare", new JsonObject().put("dag", "home_feed")
                        .put("overrides", new JsonObject().put("diverse", new JsonObject().put("size", 3)))), 200);
        assertEquals(id, cmp.getJsonObject("replayed").getString("request_id"));
        assertEquals(CONTEXT, cmp.getJsonObject("context"));
        assertTrue(cmp.getJsonObject("b").getJsonArray("items").size() <= 3, cmp.getJsonObject("b").encode());

        for (String typed : List.of("user_id", "scene", "count", "context")) {
            JsonObject body = new JsonObject().put("request_id", id)
                    .put(typed, typed.equals("count") ? (Object) 3 : typed.equals("context") ? new JsonObject() : "x");
            JsonObject error = explain(body, 400).getJsonObject("error");
            assertEquals("invalid_field", error.getString("code"), error.encode());
            assertEquals(typed, error.getString("field"), error.encode());
            assertTrue(error.getString("message").contains("request_id"), error.encode());
        }
    }

    @Test
    @Order(3)
    void anIdThatIsNotKeptIsA404ThatSaysOnlyTheLastNAreKept() throws Exception {
        JsonObject error = explain(new JsonObject().put("request_id", "no-such-request"), 404).getJsonObject("error");
        assertEquals(404, error.getInteger("status"));
        assertEquals("unknown_request", error.getString("code"));
        assertEquals("request_id", error.getString("field"));
        assertTrue(error.getString("message").contains("'no-such-request'")
                && error.getString("message").contains("only the last " + KEPT), error.getString("message"));
    }

    @Test
    @Order(4)
    void onlyTheLastNServedRequestsAreKept() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i <= KEPT; i++) {
            ids.add(recommend(new JsonObject().put("user_id", String.format("u%06d", 100 + i)).put("scene", "home")
                    .put("count", 5)).getString("request_id"));
        }
        assertEquals("unknown_request", explain(new JsonObject().put("request_id", ids.get(0)), 404)
                .getJsonObject("error").getString("code"), "the oldest of " + (KEPT + 1) + " is gone");
        for (String id : ids.subList(1, ids.size())) {
            assertEquals(id, explain(new JsonObject().put("request_id", id).put("deadline_ms", 2_000), 200)
                    .getJsonObject("replayed").getString("request_id"));
        }
    }

    @Test
    @Order(5)
    void theExplainCommandReplaysARequestById() throws Exception {
        String id = recommend(new JsonObject().put("user_id", "u000042").put("scene", "home").put("count", 5)
                .put("context", CONTEXT)).getString("request_id");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of("FUNNEL_ADMIN_TOKEN", SreServerFixture.TOKEN);
        int rc = ExplainCommand.run(List.of("--url", server.base(), "--request-id", id, "--deadline-ms", "2000"), env,
                new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("replay of request " + id), out.toString(StandardCharsets.UTF_8));

        err.reset();
        rc = ExplainCommand.run(List.of("--url", server.base(), "--request-id", "gone"), env,
                new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(1, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("funnel explain: 404 unknown_request: "),
                err.toString(StandardCharsets.UTF_8));
    }

    /** A 200 recommendation; a 503 (a budget that ran out on a loaded machine) is retried. */
    private static JsonObject recommend(JsonObject body) throws Exception {
        HttpResponse<String> r = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            r = server.post("/v1/recommend", body.encode(), false);
            if (r.statusCode() != 503) {
                break;
            }
            Thread.sleep(20);
        }
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }

    private static JsonObject explain(JsonObject body, int status) throws Exception {
        HttpResponse<String> r = server.post("/admin/explain", body.encode(), true);
        assertEquals(status, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }
}
