package dev.funnel.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.exec.Degradation;
import dev.funnel.engine.exec.NodeOutcome;
import dev.funnel.engine.exec.NodeSpan;
import dev.funnel.engine.route.Buckets;
import dev.funnel.engine.route.RouteTable;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.server.admission.AdmissionHandler;
import dev.funnel.server.metrics.HttpMetrics;
import dev.funnel.server.serving.RecentRequests;
import dev.funnel.server.serving.WarmUp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code POST /v1/recommend}: parse, route by scene and bucket, run the DAG on this event loop
 * under {@code min(dag deadline, timeout_ms)}, answer with the items (excluded ids removed, at
 * most {@code count}), then fire the response hooks on the next loop turn. One per verticle;
 * called on its event loop only.
 */
final class RecommendHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RecommendHandler.class);

    /** Request attribute where a ranker leaves {@code Map<String, String>} model name → version for the response. */
    static final String MODEL_VERSIONS_ATTRIBUTE = "model_versions";

    private static final String ENDPOINT = "recommend";
    // The response's field names, encoded once: every response writes them, per item too.
    private static final SerializableString REQUEST_ID = new SerializedString("request_id");
    private static final SerializableString ITEMS = new SerializedString("items");
    private static final SerializableString ITEM_ID = new SerializedString("item_id");
    private static final SerializableString SOURCES = new SerializedString("sources");
    private static final SerializableString PARTIAL = new SerializedString("partial");
    private static final SerializableString VERSIONS = new SerializedString("versions");
    private static final SerializableString DAG = new SerializedString("dag");
    private static final SerializableString ROUTE = new SerializedString("route");
    private static final SerializableString MODELS = new SerializedString("models");

    private final ServerDeps deps;
    private final VertxLoopScheduler loop;
    private final RequestParser parser;
    private final String retryAfter;

    RecommendHandler(ServerDeps deps, VertxLoopScheduler loop) {
        this.deps = deps;
        this.loop = loop;
        this.parser = new RequestParser(deps.config().maxCount(), deps.config().maxExcludes());
        this.retryAfter = Integer.toString(AdmissionHandler.configFrom(deps.config()).retryAfterSeconds());
    }

    void handle(RoutingContext rc) {
        long arrival = loop.nanoTime();
        HttpServerResponse resp = rc.response();
        boolean warmUp = isWarmUp(rc);
        RecommendRequest req;
        try {
            req = parser.parse(rc.body().buffer());
        } catch (ApiError e) {
            fail(resp, arrival, HttpMetrics.NO_SCENE, e.status, e.code, e.getMessage(), e.field, warmUp);
            return;
        }
        RouteTable table = deps.live().current();
        int bucket = Buckets.of(req.userId());
        RouteTable.Route route = table.pick(req.scene(), bucket);
        if (route == null) {
            fail(resp, arrival, HttpMetrics.NO_SCENE, 400, "unknown_scene",
                    "unknown scene '" + req.scene() + "'; known scenes: " + table.scenes(), "scene", warmUp);
            return;
        }
        CompiledDag dag = route.dag();
        long budgetNanos = dag.deadlineNanos();
        int timeoutMs = req.timeoutMs();
        if (timeoutMs > 0) {
            budgetNanos = Math.min(budgetNanos, timeoutMs * 1_000_000L);
        }
        LoopScheduler sched = loop.inLoop() ? loop : new VertxLoopScheduler(Vertx.currentContext());
        RequestContext ctx = RequestContext.builder()
                .requestId(requestId())
                .userId(req.userId())
                .scene(req.scene())
                .count(req.count())
                .context(req.context())
                .exclude(req.exclude())
                .debug(req.debug())
                .bucket(bucket)
                .loop(sched)
                .timing(arrival, arrival + budgetNanos)
                .build();
        deps.inFlight().incrementAndGet();
        try {
            deps.executor().execute(dag, ctx).whenComplete((result, err) -> {
                Runnable done = () -> { // on the event loop, which owns rc
                    if (result != null && waitedOnDeadline(result)) {
                        rc.put(AdmissionHandler.WAITED_ON_DEADLINE, Boolean.TRUE); // before the response ends
                    }
                    finish(resp, ctx, route, timeoutMs, result, err, warmUp);
                };
                if (sched.inLoop()) {
                    done.run();
                } else {
                    sched.execute(done);
                }
            });
        } catch (RuntimeException e) {
            finish(resp, ctx, route, timeoutMs, null, e, warmUp);
        }
    }

    /** Self-traffic of the start-up warm-up: the header carries this process's token. */
    private boolean isWarmUp(RoutingContext rc) {
        return WarmUp.isWarmUp(deps.warmUpToken(), rc.request().getHeader(WarmUp.HEADER));
    }

    /**
     * Answers; then, unless {@code warmUp}, records the HTTP meters, keeps the request for replay
     * and fires the response hooks (warm-up traffic records no exposure and logs no impression).
     */
    private void finish(HttpServerResponse resp, RequestContext ctx, RouteTable.Route route, int timeoutMs, DagResult r,
                        Throwable err, boolean warmUp) {
        deps.inFlight().decrementAndGet();
        String scene = ctx.scene();
        if (err != null) {
            LOG.error("request {} (scene {}, dag {}) failed inside the engine", ctx.requestId(), scene, route.dag().version(), err);
            fail(resp, ctx.arrivalNanos(), scene, 500, "internal", "internal error in request " + ctx.requestId(), null,
                    warmUp);
            return;
        }
        if (r.failed()) {
            // Mostly a budget that ran out before the output node had anything (overload, a stalled
            // dependency): tell the client when to try again, as a shed request does.
            resp.putHeader("retry-after", retryAfter);
            String message = "request " + ctx.requestId() + " failed: " + r.failure();
            if (ctx.debug()) { // the trace says which node failed and why
                Json.send(resp, 503, g -> {
                    g.writeStartObject();
                    g.writeObjectFieldStart("error");
                    g.writeNumberField("status", 503);
                    g.writeStringField("code", "dag_failed");
                    g.writeStringField("message", message);
                    g.writeNullField("field");
                    g.writeEndObject();
                    writeTrace(g, ctx, route, r);
                    g.writeEndObject();
                });
                if (!warmUp) {
                    deps.metrics().request(ENDPOINT, scene, 503, loop.nanoTime() - ctx.arrivalNanos());
                }
            } else {
                fail(resp, ctx.arrivalNanos(), scene, 503, "dag_failed", message, null, warmUp);
            }
            return;
        }
        Candidates served;
        if (r.output() == null) {
            served = Candidates.EMPTY;
        } else if (r.output() instanceof Candidates c) {
            served = select(c, ctx);
        } else {
            LOG.error("dag {} output node produced {}, not Candidates", r.version(), r.output().getClass().getName());
            fail(resp, ctx.arrivalNanos(), scene, 500, "bad_output", "the DAG's output is not a candidate list", null,
                    warmUp);
            return;
        }
        if (!warmUp) {
            remember(ctx, route, timeoutMs, r); // before the bytes go: a client that has its request_id can replay it
        }
        if (!resp.closed() && !resp.ended()) {
            resp.setStatusCode(200).putHeader("content-type", Json.CONTENT_TYPE)
                    .end(Json.encode(g -> writeResponse(g, ctx, route, r, served)));
        }
        if (warmUp) {
            return;
        }
        deps.metrics().request(ENDPOINT, scene, 200, loop.nanoTime() - ctx.arrivalNanos());
        deps.metrics().items(scene, served.size());
        if (!deps.hooks().isEmpty()) {
            // Next loop turn: the response bytes are flushed before any side effect runs.
            ctx.loop().execute(() -> deps.hooks().fire(ctx, served, r));
        }
    }

    /**
     * Keeps the served request's inputs for {@code POST /admin/explain {"request_id"}}. Non-blocking:
     * {@link RecentRequests#record} is one atomic increment and one release store, with no lock and
     * no I/O; the entry is the only allocation and holds references to what the request already has.
     */
    @SuppressWarnings("unchecked")
    private void remember(RequestContext ctx, RouteTable.Route route, int timeoutMs, DagResult r) {
        RecentRequests recent = deps.recent();
        if (!recent.enabled()) {
            return;
        }
        Object models = ctx.attributes().get(MODEL_VERSIONS_ATTRIBUTE);
        recent.record(new RecentRequests.Served(ctx.requestId(), ctx.userId(), ctx.scene(), ctx.count(), ctx.context(),
                ctx.excludeIds(), ctx.bucket(), timeoutMs, r.version(), route.name(),
                models instanceof Map ? (Map<String, String>) models : Map.of(), r.degraded(), System.currentTimeMillis()));
    }

    /** The output minus excluded ids, at most {@code count}; allocates only the index array. */
    private static Candidates select(Candidates c, RequestContext ctx) {
        int want = Math.min(ctx.count(), c.size());
        if (ctx.excludeIds().length == 0) {
            return c.truncate(want);
        }
        int[] rows = new int[want];
        int n = 0;
        for (int i = 0; i < c.size() && n < want; i++) {
            if (!ctx.excluded(c.id(i))) {
                rows[n++] = i;
            }
        }
        return c.select(rows, n);
    }

    private void writeResponse(JsonGenerator g, RequestContext ctx, RouteTable.Route route, DagResult r, Candidates served)
            throws IOException {
        g.writeStartObject();
        g.writeFieldName(REQUEST_ID);
        g.writeString(ctx.requestId());
        List<List<NodeSpan>> paths = ctx.debug() ? paths(r, served) : null;
        g.writeFieldName(ITEMS);
        g.writeStartArray();
        for (int i = 0; i < served.size(); i++) {
            g.writeStartObject();
            g.writeFieldName(ITEM_ID);
            g.writeNumber(served.id(i));
            Json.writeScore(g, Json.SCORE, served.score(i));
            g.writeFieldName(SOURCES);
            g.writeStartArray();
            long mask = served.sourceMask(i);
            String[] sources = served.sources();
            for (int j = 0; j < sources.length; j++) {
                if ((mask & (1L << j)) != 0) {
                    g.writeString(sources[j]);
                }
            }
            g.writeEndArray();
            if (paths != null) {
                writePath(g, served.id(i), paths.get(i));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeFieldName(PARTIAL);
        g.writeBoolean(r.partial());
        writeDegraded(g, r);
        g.writeFieldName(VERSIONS);
        g.writeStartObject();
        g.writeFieldName(DAG);
        g.writeString(r.version());
        g.writeFieldName(ROUTE);
        g.writeString(route.name());
        g.writeFieldName(MODELS);
        Object models = ctx.attributes().get(MODEL_VERSIONS_ATTRIBUTE);
        Json.writeValue(g, models instanceof Map ? models : Map.of());
        g.writeEndObject();
        if (ctx.debug()) {
            writeTrace(g, ctx, route, r);
        }
        g.writeEndObject();
    }

    /** Whether a node of the run was cut off at its deadline (the request waited for it). */
    private static boolean waitedOnDeadline(DagResult r) {
        for (Degradation d : r.degraded()) {
            if (d.cause() == NodeOutcome.TIMEOUT) {
                return true;
            }
        }
        return false;
    }

    private static void writeDegraded(JsonGenerator g, DagResult r) throws IOException {
        g.writeArrayFieldStart("degraded");
        for (Degradation d : r.degraded()) {
            g.writeStartObject();
            g.writeStringField("node", d.node());
            g.writeStringField("cause", d.cause().name().toLowerCase(Locale.ROOT));
            g.writeStringField("action", String.valueOf(d.action()));
            if (d.detail() != null) {
                g.writeStringField("detail", d.detail());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeTrace(JsonGenerator g, RequestContext ctx, RouteTable.Route route, DagResult r) throws IOException {
        g.writeObjectFieldStart("trace");
        g.writeStringField("dag", r.dag());
        g.writeStringField("route", route.name());
        g.writeNumberField("bucket", ctx.bucket());
        g.writeNumberField("budget_ms", (ctx.deadlineNanos() - ctx.arrivalNanos()) / 1e6);
        g.writeNumberField("took_ms", r.tookNanos() / 1e6);
        writeDegraded(g, r);
        g.writeArrayFieldStart("nodes");
        for (NodeSpan s : r.trace()) {
            g.writeStartObject();
            g.writeStringField("node", s.node());
            g.writeStringField("op", s.op());
            g.writeStringField("outcome", s.outcome().name().toLowerCase(Locale.ROOT));
            if (s.startNanos() >= 0) {
                g.writeNumberField("start_ms", s.startNanos() / 1e6);
            } else {
                g.writeNullField("start_ms");
            }
            g.writeNumberField("took_ms", s.tookNanos() / 1e6);
            // -1 (not applicable: no candidate inputs, or no candidate output) is null, never a count.
            writeCount(g, "candidates_in", s.inputSize());
            writeCount(g, "candidates_out", s.outputSize());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeCount(JsonGenerator g, String field, int count) throws IOException {
        if (count >= 0) {
            g.writeNumberField(field, count);
        } else {
            g.writeNullField(field);
        }
    }

    /** For each served item, the trace spans whose candidate output contained it (debug only). */
    private static List<List<NodeSpan>> paths(DagResult r, Candidates served) {
        Map<Long, Integer> index = new HashMap<>(served.size() * 2);
        List<List<NodeSpan>> out = new ArrayList<>(served.size());
        for (int i = 0; i < served.size(); i++) {
            index.putIfAbsent(served.id(i), i);
            out.add(new ArrayList<>());
        }
        for (NodeSpan s : r.trace()) {
            if (s.output() instanceof Candidates c) {
                for (int k = 0; k < c.size(); k++) {
                    Integer i = index.get(c.id(k));
                    if (i != null) {
                        out.get(i).add(s);
                    }
                }
            }
        }
        return out;
    }

    private static void writePath(JsonGenerator g, long id, List<NodeSpan> spans) throws IOException {
        g.writeArrayFieldStart("path");
        for (NodeSpan s : spans) {
            Candidates c = (Candidates) s.output();
            for (int k = 0; k < c.size(); k++) {
                if (c.id(k) == id) {
                    g.writeStartObject();
                    g.writeStringField("node", s.node());
                    g.writeNumberField("rank", k);
                    Json.writeScore(g, Json.SCORE, c.score(k));
                    g.writeEndObject();
                    break;
                }
            }
        }
        g.writeEndArray();
    }

    private void fail(HttpServerResponse resp, long arrival, String scene, int status, String code, String message, String field,
                      boolean warmUp) {
        Json.sendError(resp, status, code, message, field);
        if (!warmUp) {
            deps.metrics().request(ENDPOINT, scene, status, loop.nanoTime() - arrival);
        }
    }

    private static String requestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
    }
}
