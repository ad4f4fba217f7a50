package dev.funnel.server.http;

import dev.funnel.index.InvalidItemException;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.index.ItemUpdate;
import dev.funnel.server.serving.CatalogWriter;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code PUT /v1/items/{id}} (insert or replace an item), {@code DELETE /v1/items/{id}} and
 * {@code GET /v1/items/{id}} (the item as the index holds it now), all behind the admin token
 * ({@link AdminAuth}: 401 without it). The PUT body
 * is validated completely before anything is applied. With a stream wired ({@link CatalogWriter}) the update is
 * appended to {@code item-updates} and applied by this server's stream consumer like every replica's, so
 * all of them see it and a restart replays it; without one it goes through {@link ItemIndex#apply}. Either way on a
 * worker thread (an upsert links the embedding into the graph), ordered per event loop, followed by
 * {@link ItemIndex#refreshViews} on that thread (the shared recall lists); the answer comes once the
 * change is visible to every later request to this server, recall lists included. 503
 * {@code catalog_unavailable} when the stream did not take the update.
 *
 * <p>PUT body: {@code {"category", "author", "status": "online|offline", "tags": [..],
 * "created_at_ms", "popularity", "embedding": [..], "attributes": {..}}}; category, author and
 * status are required; {@code created_at_ms} defaults to now, popularity to 0.
 *
 * <p>Errors, one code per kind of problem: {@code empty_body}, {@code bad_json} (400: no JSON object
 * to read), {@code invalid_item} (400: the path's id or a field of the body is wrong, with
 * {@code field} naming it: {@code id}, {@code popularity}, {@code tags[2]}, {@code embedding[5]},
 * {@code attributes.colour}, …), {@code unknown_item} (404, GET or DELETE of an id the catalog lacks).
 *
 * <p>GET answers the PUT body's fields with {@code item_id}, so what it returns can be PUT back
 * unchanged. It reads the index on the event loop: {@link ItemIndex#get} is lock-free and one
 * consistent row, and an item is a few hundred numbers at most to write.
 */
final class ItemsHandler {

    /** The code of every problem with the path's id or a field of the body; {@code field} names which. */
    private static final String INVALID = "invalid_item";
    // Not funnel_item_updates_applied_total: that one counts what each replica applied from the item-updates stream.
    private static final String UPDATES_HELP = "items API writes (PUT/DELETE /v1/items/{id}) this replica answered 200/201, by"
            + " op: upsert, delete";
    // A delete of an unknown id is counted too: a feed deleting ids the catalog never had (or deleting twice) must show.
    private static final String REJECTED_HELP = "items API writes (PUT/DELETE /v1/items/{id}) not applied, by code: empty_body,"
            + " bad_json, invalid_item (400: bad id or body), unknown_item (404: DELETE of an id the catalog lacks),"
            + " catalog_unavailable (503: the item stream did not take it)";
    private static final String EMPTY_BODY = "empty_body";
    private static final String BAD_JSON = "bad_json";
    private static final String UNKNOWN = "unknown_item";
    private static final String UNAVAILABLE = "catalog_unavailable";
    /** 9999-12-31T23:59:59.999Z: past it a time is a mistake, and freshness arithmetic would overflow. */
    static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

    private static final Set<String> FIELDS = Set.of("item_id", "category", "author", "status", "tags", "created_at_ms",
            "popularity", "embedding", "attributes");

    private final Vertx vertx;
    private final ItemIndex index;
    private final Counter upserts;
    private final Counter deletes;
    /** By error code: every code a write can be answered with is registered at start, so each series exists at 0. */
    private final Map<String, Counter> rejected = new HashMap<>();
    private final AdminAuth auth;
    /** Null without a stream: writes go to this server's index only. */
    private final CatalogWriter shared;

    ItemsHandler(Vertx vertx, ServerDeps deps) {
        this.vertx = vertx;
        this.index = deps.env().find(ItemIndex.class).orElse(null);
        this.upserts = Counter.builder("funnel.items.updates").tag("op", "upsert").description(UPDATES_HELP).register(deps.prometheus());
        this.deletes = Counter.builder("funnel.items.updates").tag("op", "delete").description(UPDATES_HELP).register(deps.prometheus());
        for (String code : List.of(EMPTY_BODY, BAD_JSON, INVALID, UNKNOWN, UNAVAILABLE)) {
            rejected.put(code, Counter.builder("funnel.items.updates.rejected").tag("code", code).description(REJECTED_HELP)
                    .register(deps.prometheus()));
        }
        this.auth = new AdminAuth(deps.adminToken());
        this.shared = deps.env().find(CatalogWriter.class).orElse(null);
    }

    /**
     * Mounts the endpoints on a verticle's router (nothing when no index is wired), behind the admin
     * token: a write changes what every user is served, and a read shows catalog data (attributes,
     * embeddings) that is no client's business, like the rest of the catalog API.
     */
    void mount(Router router, int maxBodyBytes) {
        if (index == null) {
            return;
        }
        router.get("/v1/items/:id").handler(auth).handler(this::get); // HEAD too: HttpVerticle adds it to every GET
        router.put("/v1/items/:id").handler(auth).handler(new RawBodyHandler(maxBodyBytes)).handler(this::put);
        router.delete("/v1/items/:id").handler(auth).handler(this::delete);
    }

    private void put(RoutingContext rc) {
        ItemRecord record;
        try {
            long id = pathId(rc);
            record = parse(id, rc.body().buffer() == null ? null : rc.body().asString());
        } catch (ApiError e) {
            reject(rc, e);
            return;
        }
        boolean existed = index.contains(record.id());
        vertx.executeBlocking(() -> applyAndRefresh(new ItemUpdate.Upsert(record)), true).onComplete(ar -> {
            if (ar.failed()) {
                if (unavailable(rc, ar.cause())) {
                    return;
                }
                if (!(ar.cause() instanceof IllegalArgumentException)) {
                    rc.fail(ar.cause()); // a server fault: 500
                    return;
                }
                // parse checked everything but the index's own shape: the embedding's dimension
                reject(rc, new ApiError(400, INVALID, String.valueOf(ar.cause().getMessage()), "embedding"));
                return;
            }
            upserts.increment();
            Json.send(rc.request(), existed ? 200 : 201, g -> {
                g.writeStartObject();
                g.writeNumberField("item_id", record.id());
                g.writeStringField("result", existed ? "replaced" : "created");
                g.writeNumberField("index_version", index.version());
                g.writeEndObject();
            });
        });
    }

    private void get(RoutingContext rc) {
        long id;
        try {
            id = pathId(rc);
        } catch (ApiError e) {
            Json.sendError(rc.request(), e.status, e.code, e.getMessage(), e.field);
            return;
        }
        ItemRecord item = index.get(id);
        if (item == null) {
            Json.sendError(rc.request(), 404, UNKNOWN, "no item " + id, "id");
            return;
        }
        Json.send(rc.request(), 200, g -> {
            g.writeStartObject();
            g.writeNumberField("item_id", item.id());
            g.writeStringField("category", item.category());
            g.writeStringField("author", item.author());
            g.writeStringField("status", item.status());
            g.writeArrayFieldStart("tags");
            for (String t : item.tags()) {
                g.writeString(t);
            }
            g.writeEndArray();
            g.writeNumberField("created_at_ms", item.createdAtMillis());
            g.writeNumberField("popularity", item.popularity());
            g.writeFieldName("embedding");
            float[] embedding = item.embedding();
            if (embedding == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (float v : embedding) {
                    g.writeNumber(v); // the float's shortest digits: PUT back, they read as the same float
                }
                g.writeEndArray();
            }
            g.writeFieldName("attributes");
            Json.writeValue(g, item.attributes());
            g.writeEndObject();
        });
    }

    private void delete(RoutingContext rc) {
        long id;
        try {
            id = pathId(rc);
        } catch (ApiError e) {
            reject(rc, e);
            return;
        }
        vertx.executeBlocking(() -> applyAndRefresh(new ItemUpdate.Delete(id)), true).onComplete(ar -> {
            if (ar.failed()) {
                if (!unavailable(rc, ar.cause())) {
                    rc.fail(ar.cause());
                }
                return;
            }
            if (!ar.result()) {
                reject(rc, new ApiError(404, UNKNOWN, "no item " + id, "id"));
                return;
            }
            deletes.increment();
            Json.send(rc.request(), 200, g -> {
                g.writeStartObject();
                g.writeNumberField("item_id", id);
                g.writeStringField("result", "deleted");
                g.writeNumberField("index_version", index.version());
                g.writeEndObject();
            });
        });
    }

    /**
     * Worker thread: applies the change, then recomputes the lists derived from the catalog (the
     * shared hot and fresh recall lists), so that the answer means every later request sees it.
     */
    private boolean applyAndRefresh(ItemUpdate update) {
        boolean changed;
        if (shared == null) {
            changed = index.apply(update);
        } else {
            changed = update instanceof ItemUpdate.Upsert || index.contains(update.itemId()); // a delete of nothing is 404, not streamed
            if (update instanceof ItemUpdate.Upsert u && u.item().embedding() != null && u.item().embedding().length != index.config().dim()) {
                // What the index would refuse must not enter the stream, where every replica would refuse it again.
                throw new IllegalArgumentException("item " + u.itemId() + ": embedding has dimension " + u.item().embedding().length
                        + ", the index has " + index.config().dim());
            }
            if (changed) {
                shared.write(update);
            }
        }
        if (changed) {
            index.refreshViews();
        }
        return changed;
    }

    /** 503 when the shared catalog did not take the update (nothing was applied here); false for any other failure. */
    private boolean unavailable(RoutingContext rc, Throwable cause) {
        if (!(cause instanceof CatalogWriter.CatalogUnavailableException)) {
            return false;
        }
        reject(rc, new ApiError(503, UNAVAILABLE, String.valueOf(cause.getMessage()), null));
        return true;
    }

    /** Answers a write that was not applied, counted by its code. */
    private void reject(RoutingContext rc, ApiError e) {
        rejected.get(e.code).increment();
        Json.sendError(rc.request(), e.status, e.code, e.getMessage(), e.field);
    }

    private static long pathId(RoutingContext rc) throws ApiError {
        String raw = rc.pathParam("id");
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ApiError(400, INVALID, "item id in the path must be a whole number > 0, got '" + raw + "'", "id");
    }

    /** Validates the whole body; nothing is applied unless all of it is good. */
    ItemRecord parse(long id, String body) throws ApiError {
        if (body == null || body.isBlank()) {
            throw new ApiError(400, EMPTY_BODY, "request body is empty; expected a JSON object describing the item", null);
        }
        JsonObject o;
        try {
            o = new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw new ApiError(400, BAD_JSON, "body must be a JSON object: " + Json.parseProblem(e, null), null);
        }
        for (String k : o.fieldNames()) {
            if (!FIELDS.contains(k)) {
                throw new ApiError(400, INVALID, "unknown field '" + k + "'; known: " + FIELDS, k);
            }
        }
        if (o.containsKey("item_id") && !(o.getValue("item_id") instanceof Number n && n.longValue() == id)) {
            throw new ApiError(400, INVALID, "item_id " + o.getValue("item_id") + " differs from the path's " + id, "item_id");
        }
        String category = string(o, "category", true);
        String author = string(o, "author", true);
        String status = string(o, "status", true);
        List<String> tags = new ArrayList<>();
        Object rawTags = o.getValue("tags");
        if (rawTags != null) {
            if (!(rawTags instanceof JsonArray arr)) {
                throw new ApiError(400, INVALID, "'tags' must be an array of strings", "tags");
            }
            for (int i = 0; i < arr.size(); i++) {
                if (!(arr.getValue(i) instanceof String t)) {
                    throw new ApiError(400, INVALID, "tags[" + i + "] must be a string, got " + arr.getValue(i), "tags[" + i + "]");
                }
                tags.add(t);
            }
        }
        long created = o.containsKey("created_at_ms") ? epochMillis(o, "created_at_ms") : System.currentTimeMillis();
        double popularity = o.containsKey("popularity") ? number(o, "popularity").doubleValue() : 0;
        float[] embedding = null;
        Object rawEmb = o.getValue("embedding");
        if (rawEmb != null) {
            if (!(rawEmb instanceof JsonArray arr)) {
                throw new ApiError(400, INVALID, "'embedding' must be an array of numbers", "embedding");
            }
            if (arr.size() != index.config().dim()) {
                throw new ApiError(400, INVALID, "'embedding' must have " + index.config().dim() + " numbers, got " + arr.size(), "embedding");
            }
            embedding = new float[arr.size()];
            for (int i = 0; i < embedding.length; i++) {
                if (!(arr.getValue(i) instanceof Number n)) {
                    throw new ApiError(400, INVALID, "embedding[" + i + "] must be a number, got " + arr.getValue(i), "embedding[" + i + "]");
                }
                if (!Float.isFinite(n.floatValue())) { // past ±Float.MAX_VALUE
                    throw new ApiError(400, INVALID, "embedding[" + i + "] must be a 32-bit float, within ±" + Float.MAX_VALUE
                            + ", got " + n, "embedding[" + i + "]");
                }
                embedding[i] = n.floatValue();
            }
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        Object rawAttrs = o.getValue("attributes");
        if (rawAttrs != null) {
            if (!(rawAttrs instanceof JsonObject a)) {
                throw new ApiError(400, INVALID, "'attributes' must be an object", "attributes");
            }
            for (String k : a.fieldNames()) {
                Object v = a.getValue(k);
                attrs.put(k, v instanceof JsonArray l ? l.getList() : v);
            }
        }
        try {
            return new ItemRecord(id, category, author, tags, status, created, popularity, embedding, attrs);
        } catch (InvalidItemException e) {
            throw new ApiError(400, INVALID, e.getMessage(), e.field());
        }
    }

    private static String string(JsonObject o, String field, boolean required) throws ApiError {
        Object v = o.getValue(field);
        if (v == null && !required) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new ApiError(400, INVALID, "'" + field + "' must be a string" + (v == null ? " and is required" : ", got " + v), field);
        }
        return s;
    }

    /** A whole number of epoch milliseconds in 0..{@link #MAX_EPOCH_MILLIS}: no silent rounding or clamping. */
    private static long epochMillis(JsonObject o, String field) throws ApiError {
        Number n = number(o, field);
        boolean whole = n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || (n instanceof Double d && d == Math.rint(d) && Math.abs(d) <= MAX_EPOCH_MILLIS);
        if (!whole || n.longValue() < 0 || n.longValue() > MAX_EPOCH_MILLIS) {
            throw new ApiError(400, INVALID, "'" + field + "' must be a whole number of epoch milliseconds in 0.." + MAX_EPOCH_MILLIS
                    + ", got " + n, field);
        }
        return n.longValue();
    }

    private static Number number(JsonObject o, String field) throws ApiError {
        Object v = o.getValue(field);
        if (!(v instanceof Number n)) {
            throw new ApiError(400, INVALID, "'" + field + "' must be a number, got " + v, field);
        }
        return n;
    }
}
