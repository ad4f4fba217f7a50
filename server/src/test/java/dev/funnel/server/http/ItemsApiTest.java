package dev.funnel.server.http;

import dev.funnel.index.ItemIndex;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET / PUT / DELETE /v1/items/{id} against the real server: the admin token, validation, then visibility in the index. */
class ItemsApiTest {

    private static final long ID = 9_000_001L;

    @Test
    void upsertValidateAndDeleteAnItem() throws Exception {
        ItemIndex index = FunnelServerTestSupport.app().env().require(ItemIndex.class);
        int dim = index.config().dim();
        JsonArray embedding = new JsonArray();
        for (int d = 0; d < dim; d++) {
            embedding.add(d == 0 ? 1.0 : 0.0);
        }
        JsonObject item = new JsonObject().put("category", "c_new").put("author", "a_new").put("status", "online")
                .put("tags", new JsonArray().add("t_new")).put("popularity", 0.9).put("embedding", embedding);

        TestHttp.Resp created = call(HttpMethod.PUT, "/v1/items/" + ID, item.encode());
        assertEquals(201, created.status(), created.body());
        assertEquals("c_new", index.category(ID));
        assertEquals("online", index.status(ID));
        assertEquals(1.0f, index.embedding(ID)[0]);

        TestHttp.Resp replaced = call(HttpMethod.PUT, "/v1/items/" + ID, item.copy().put("status", "offline").encode());
        assertEquals(200, replaced.status(), replaced.body());
        assertEquals("offline", index.status(ID));

        assertRejected(call(HttpMethod.PUT, "/v1/items/" + ID, item.copy().put("embedding", new JsonArray().add(1)).encode()), "embedding");
        assertRejected(call(HttpMethod.PUT, "/v1/items/" + ID, item.copy().put("colour", "red").encode()), "colour");
        assertRejected(call(HttpMethod.PUT, "/v1/items/abc", item.encode()), "id");
        assertEquals("offline", index.status(ID), "a rejected update changes nothing");

        TestHttp.Resp deleted = call(HttpMethod.DELETE, "/v1/items/" + ID, null);
        assertEquals(200, deleted.status(), deleted.body());
        assertFalse(index.contains(ID));
        TestHttp.Resp again = call(HttpMethod.DELETE, "/v1/items/" + ID, null);
        assertEquals(404, again.status());
        assertEquals("unknown_item", again.json().getJsonObject("error").getString("code"));
    }

    /**
     * A DELETE of an id the catalog lacks is 404 and counted by its code, so an operator sees a feed deleting ids that
     * were never there (or twice); the writes that were applied are not counted there.
     */
    @Test
    void aDeleteOfAnUnknownItemIsCountedAsRejected() throws Exception {
        MeterRegistry r = FunnelServerTestSupport.app().meterRegistry();
        double unknown = rejected(r, "unknown_item");
        double deletes = r.get("funnel.items.updates").tag("op", "delete").counter().count();

        TestHttp.Resp missing = call(HttpMethod.DELETE, "/v1/items/9000031", null);
        assertEquals(404, missing.status(), missing.body());
        assertEquals("unknown_item", missing.json().getJsonObject("error").getString("code"));
        assertEquals(unknown + 1, rejected(r, "unknown_item"));
        assertEquals(deletes, r.get("funnel.items.updates").tag("op", "delete").counter().count(), "not an applied delete");

        String scrape = FunnelServerTestSupport.http().call(FunnelServerTestSupport.http().h2c, HttpMethod.GET,
                FunnelServerTestSupport.app().httpPort(), "/metrics", null, Map.of()).body();
        assertTrue(scrape.contains("funnel_items_updates_rejected_total{code=\"unknown_item\"}"), "by code in /metrics");
        assertTrue(scrape.contains("unknown_item (404: DELETE of an id the catalog lacks)"), "the HELP text says what it counts");
    }

    private static double rejected(MeterRegistry r, String code) {
        return r.get("funnel.items.updates.rejected").tag("code", code).counter().count();
    }

    /**
     * GET answers what the index holds in the PUT body's shape: PUT back unchanged, it changes nothing,
     * and the next GET is the same bytes. Values chosen to catch lossy encoding: a popularity and
     * embedding values that are not short decimals as floats, an integral and a fractional attribute.
     */
    @Test
    void getAnswersTheItemAsPutAndItsBodyPutsBackUnchanged() throws Exception {
        ItemIndex index = FunnelServerTestSupport.app().env().require(ItemIndex.class);
        long id = 9_000_021L;
        JsonArray embedding = new JsonArray();
        for (int d = 0; d < index.config().dim(); d++) {
            embedding.add(d == 0 ? 0.1 : d == 1 ? -3.4e38 : d == 2 ? 1.0e-7 : d / 3.0);
        }
        JsonObject item = new JsonObject().put("category", "c_get").put("author", "a_get").put("status", "offline")
                .put("tags", new JsonArray().add("t1").add("t2")).put("created_at_ms", 1_700_000_000_123L)
                .put("popularity", 0.1).put("embedding", embedding)
                .put("attributes", new JsonObject().put("colour", "red").put("weight", 2).put("ratio", 0.25)
                        .put("fresh", true).put("sizes", new JsonArray().add("s").add("m")));
        assertEquals(201, call(HttpMethod.PUT, "/v1/items/" + id, item.encode()).status());
        dev.funnel.index.ItemRecord stored = index.get(id);

        TestHttp.Resp got = call(HttpMethod.GET, "/v1/items/" + id, null);
        assertEquals(200, got.status(), got.body());
        assertTrue(got.headers().get("content-type").startsWith("application/json"), got.headers().toString());
        JsonObject body = got.json();
        assertEquals(id, body.getLong("item_id"));
        assertEquals(item.copy().put("item_id", id).fieldNames(), body.fieldNames(), "the PUT body's fields, and item_id");
        assertEquals("c_get", body.getString("category"));
        assertEquals("offline", body.getString("status"));
        assertEquals(List.of("t1", "t2"), body.getJsonArray("tags").getList());
        assertEquals(1_700_000_000_123L, body.getLong("created_at_ms"));
        assertEquals(0.1, body.getDouble("popularity"));
        assertEquals(0.1f, body.getJsonArray("embedding").getDouble(0).floatValue());
        assertEquals(-3.4e38f, body.getJsonArray("embedding").getDouble(1).floatValue());
        assertEquals(index.config().dim(), body.getJsonArray("embedding").size());
        assertEquals(new JsonObject().put("colour", "red").put("weight", 2).put("ratio", 0.25).put("fresh", true)
                .put("sizes", new JsonArray().add("s").add("m")), body.getJsonObject("attributes"));

        TestHttp.Resp putBack = call(HttpMethod.PUT, "/v1/items/" + id, got.body());
        assertEquals(200, putBack.status(), putBack.body());
        assertEquals(stored, index.get(id), "the GET's body, PUT back, is the same item");
        assertEquals(got.body(), call(HttpMethod.GET, "/v1/items/" + id, null).body());

        assertEquals(200, call(HttpMethod.DELETE, "/v1/items/" + id, null).status());
        TestHttp.Resp gone = call(HttpMethod.GET, "/v1/items/" + id, null);
        assertEquals(404, gone.status(), gone.body());
        assertEquals("unknown_item", gone.json().getJsonObject("error").getString("code"));
        assertEquals("id", gone.json().getJsonObject("error").getString("field"));
    }

    /** A catalog item that never went through the API (the sim world's) reads back whole, and without an embedding as null. */
    @Test
    void getAnswersACatalogItemAndOneWithoutAnEmbedding() throws Exception {
        ItemIndex index = FunnelServerTestSupport.app().env().require(ItemIndex.class);
        dev.funnel.index.ItemRecord sim = index.get(1);
        JsonObject body = call(HttpMethod.GET, "/v1/items/1", null).json();
        assertEquals(sim.category(), body.getString("category"));
        assertEquals(sim.createdAtMillis(), body.getLong("created_at_ms"));
        assertEquals(sim.popularity(), body.getDouble("popularity"));
        JsonArray e = body.getJsonArray("embedding");
        for (int d = 0; d < sim.embedding().length; d++) {
            assertEquals(sim.embedding()[d], e.getDouble(d).floatValue(), "embedding[" + d + "]");
        }

        long id = 9_000_022L;
        assertEquals(201, call(HttpMethod.PUT, "/v1/items/" + id, "{\"category\":\"c\",\"author\":\"a\",\"status\":\"online\"}").status());
        JsonObject bare = call(HttpMethod.GET, "/v1/items/" + id, null).json();
        assertTrue(bare.containsKey("embedding") && bare.getValue("embedding") == null, bare.encode());
        assertEquals(new JsonObject(), bare.getJsonObject("attributes"));
        assertEquals(0.0, bare.getDouble("popularity"));
        assertEquals(200, call(HttpMethod.DELETE, "/v1/items/" + id, null).status());
    }

    /** HEAD answers what GET would, without the body, over HTTP/2 and HTTP/1.1; a bad id is the PUT's 400. */
    @Test
    void headAnswersTheGetsHeadersAndABadIdIsInvalidItem() throws Exception {
        TestHttp http = FunnelServerTestSupport.http();
        int port = FunnelServerTestSupport.app().httpPort();
        Map<String, String> auth = Map.of("authorization", "Bearer " + FunnelServerTestSupport.TOKEN);
        for (io.vertx.core.http.HttpClient client : List.of(http.h2c, http.http11)) {
            TestHttp.Resp get = http.call(client, HttpMethod.GET, port, "/v1/items/1", null, auth);
            TestHttp.Resp head = http.call(client, HttpMethod.HEAD, port, "/v1/items/1", null, auth);
            assertEquals(200, head.status(), head.version().toString());
            assertEquals(String.valueOf(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                    head.headers().get("content-length"), head.version().toString());
            assertEquals("", head.body(), head.version().toString());
            TestHttp.Resp missing = http.call(client, HttpMethod.HEAD, port, "/v1/items/8999999", null, auth);
            assertEquals(404, missing.status());
            assertEquals("", missing.body());
        }
        assertInvalidItem(call(HttpMethod.GET, "/v1/items/abc", null), "id");
        assertInvalidItem(call(HttpMethod.GET, "/v1/items/0", null), "id");
    }

    /**
     * The answer to a write means the very next request sees it: the shared hot list of the
     * {@code slow} scene (its {@code fast} node, warmed up before) holds the new item, then its new
     * score, then not the deleted item — no background refresh to wait for.
     */
    @Test
    void theFirstRequestAfterAWriteSeesIt() throws Exception {
        long id = 9_000_012L;
        String item = "{\"category\":\"c_visible\",\"author\":\"a1\",\"status\":\"online\",\"popularity\":%s}";
        assertEquals(201, call(HttpMethod.PUT, "/v1/items/" + id, String.format(item, "7e30")).status());
        assertEquals(7e30f, servedScore(id, "after 201 created"));
        assertEquals(200, call(HttpMethod.PUT, "/v1/items/" + id, String.format(item, "5e30")).status());
        assertEquals(5e30f, servedScore(id, "after 200 replaced"));
        assertEquals(200, call(HttpMethod.DELETE, "/v1/items/" + id, null).status());
        assertEquals(-1f, servedScore(id, "after the delete"));
    }

    /**
     * Every problem with the path's id or a field is 400 {@code invalid_item} naming the field, and
     * nothing that a float score cannot carry gets in: such a popularity was taken and then served as
     * {@code "score": null}.
     */
    @Test
    void everyBadFieldIsInvalidItemNamingIt() throws Exception {
        long id = 9_000_013L;
        String base = "\"category\":\"c1\",\"author\":\"a1\",\"status\":\"online\"";
        String twoDims = "[0.5, 1e39" + ",0".repeat(FunnelServerTestSupport.app().env().require(ItemIndex.class).config().dim() - 2) + "]";
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("\"popularity\":1e308", "popularity");
        bad.put("\"popularity\":1e39", "popularity");
        bad.put("\"popularity\":1e400", "popularity");
        bad.put("\"popularity\":-1", "popularity");
        bad.put("\"popularity\":\"high\"", "popularity");
        bad.put("\"embedding\":[1, 2]", "embedding");
        bad.put("\"embedding\":" + twoDims, "embedding[1]");
        bad.put("\"created_at_ms\":1e300", "created_at_ms");
        bad.put("\"created_at_ms\":1.5", "created_at_ms");
        bad.put("\"created_at_ms\":-1", "created_at_ms");
        bad.put("\"tags\":[\"ok\", \" \"]", "tags[1]");
        bad.put("\"tags\":[\"ok\", 3]", "tags[1]");
        bad.put("\"attributes\":{\"weight\":1e400}", "attributes.weight");
        bad.put("\"attributes\":{\"nested\":{\"x\":1}}", "attributes.nested");
        bad.put("\"colour\":\"red\"", "colour");
        bad.put("\"item_id\":5", "item_id");
        for (Map.Entry<String, String> b : bad.entrySet()) {
            TestHttp.Resp r = call(HttpMethod.PUT, "/v1/items/" + id, "{" + base + "," + b.getKey() + "}");
            assertInvalidItem(r, b.getValue());
        }
        assertInvalidItem(call(HttpMethod.PUT, "/v1/items/" + id, "{\"category\":\"\",\"author\":\"a1\",\"status\":\"online\"}"), "category");
        assertInvalidItem(call(HttpMethod.PUT, "/v1/items/" + id, "{\"category\":\"c1\",\"author\":\"a1\",\"status\":\"gone\"}"), "status");
        assertInvalidItem(call(HttpMethod.PUT, "/v1/items/" + id, "{\"category\":\"c1\",\"status\":\"online\"}"), "author");
        assertInvalidItem(call(HttpMethod.PUT, "/v1/items/0", "{" + base + "}"), "id");
        assertInvalidItem(call(HttpMethod.DELETE, "/v1/items/-3", null), "id");
        TestHttp.Resp range = call(HttpMethod.PUT, "/v1/items/" + id, "{" + base + ",\"popularity\":1e39}");
        assertTrue(range.json().getJsonObject("error").getString("message").contains("0.." + Float.MAX_VALUE), range.body());
        assertFalse(FunnelServerTestSupport.app().env().require(ItemIndex.class).contains(id), "nothing was applied");

        TestHttp.Resp max = call(HttpMethod.PUT, "/v1/items/" + id, "{" + base + ",\"popularity\":" + Float.MAX_VALUE + "}");
        assertEquals(201, max.status(), max.body());
        assertEquals(Float.MAX_VALUE, servedScore(id, "the largest popularity"), "served as a number");
        assertEquals(200, call(HttpMethod.DELETE, "/v1/items/" + id, null).status());
    }

    private static void assertInvalidItem(TestHttp.Resp r, String field) {
        assertEquals(400, r.status(), r.body());
        JsonObject e = r.json().getJsonObject("error");
        assertEquals("invalid_item", e.getString("code"), r.body());
        assertEquals(field, e.getString("field"), r.body());
        assertFalse(e.getString("message").isBlank(), r.body());
    }

    /** The item's score in the next {@code slow} response, -1 when it is not served. */
    private static float servedScore(long id, String when) throws Exception {
        TestHttp http = FunnelServerTestSupport.http();
        TestHttp.Resp r = http.post(http.h2c, FunnelServerTestSupport.app().httpPort(), "/v1/recommend",
                "{\"user_id\":\"u-items\",\"scene\":\"slow\",\"count\":20}");
        assertEquals(200, r.status(), r.body());
        JsonArray items = r.json().getJsonArray("items");
        assertTrue(!items.isEmpty(), when + ": " + r.body());
        for (int i = 0; i < items.size(); i++) {
            JsonObject it = items.getJsonObject(i);
            if (it.getLong("item_id") == id) {
                return it.getDouble("score").floatValue();
            }
        }
        return -1f;
    }

    private static void assertRejected(TestHttp.Resp r, String field) {
        assertEquals(400, r.status(), r.body());
        JsonObject e = r.json().getJsonObject("error");
        assertEquals(field, e.getString("field"), r.body());
        assertTrue(!e.getString("message").isBlank());
    }

    @Test
    void readsAndWritesNeedTheAdminToken() throws Exception {
        ItemIndex index = FunnelServerTestSupport.app().env().require(ItemIndex.class);
        long existing = 1; // a sim catalog item
        assertTrue(index.contains(existing));
        String category = index.category(existing);
        String item = "{\"category\":\"c_unauthorized\",\"author\":\"a\",\"status\":\"offline\"}";
        for (Map<String, String> auth : List.of(Map.<String, String>of(), Map.of("authorization", "Bearer wrong-token"),
                Map.of("authorization", FunnelServerTestSupport.TOKEN))) {
            TestHttp.Resp delete = call(HttpMethod.DELETE, "/v1/items/" + existing, null, auth);
            assertUnauthorized(delete);
            assertUnauthorized(call(HttpMethod.PUT, "/v1/items/" + existing, item, auth));
            assertUnauthorized(call(HttpMethod.GET, "/v1/items/" + existing, null, auth));
            TestHttp.Resp head = call(HttpMethod.HEAD, "/v1/items/" + existing, null, auth);
            assertEquals(401, head.status());
            assertEquals("", head.body(), "no body to a HEAD");
        }
        assertTrue(index.contains(existing), "an unauthorized delete deletes nothing");
        assertEquals(category, index.category(existing), "an unauthorized put changes nothing");
    }

    private static void assertUnauthorized(TestHttp.Resp r) {
        assertEquals(401, r.status(), r.body());
        assertEquals("unauthorized", r.json().getJsonObject("error").getString("code"));
        assertEquals("Bearer realm=\"funnel-admin\"", r.headers().get("www-authenticate"));
    }

    private static TestHttp.Resp call(HttpMethod m, String path, String body) throws Exception {
        return call(m, path, body, Map.of("authorization", "Bearer " + FunnelServerTestSupport.TOKEN));
    }

    private static TestHttp.Resp call(HttpMethod m, String path, String body, Map<String, String> auth) throws Exception {
        TestHttp http = FunnelServerTestSupport.http();
        Map<String, String> headers = new java.util.HashMap<>(auth);
        if (body != null) {
            headers.put("content-type", "application/json");
        }
        return http.call(http.h2c, m, FunnelServerTestSupport.app().httpPort(), path, body, headers);
    }
}
