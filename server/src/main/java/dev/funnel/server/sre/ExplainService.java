package dev.funnel.server.sre;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.dag.DagValidator;
import dev.funnel.engine.dag.Problem;
import dev.funnel.engine.explain.Explainer;
import dev.funnel.engine.route.Buckets;
import dev.funnel.engine.route.RouteTable;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.server.serving.LiveConfig;
import dev.funnel.server.serving.RecentRequests;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Resolves an explain request to compiled DAGs and runs it. The request to run is typed in
 * ({@code user_id}, {@code scene}, {@code count}, {@code context}) or, with {@code request_id}, one
 * this replica served recently ({@link RecentRequests}): its recorded inputs, replayed against the
 * state now. A side is one of: {@code yaml} (a candidate file's text, compiled but never made live),
 * {@code dag} (a live DAG by name), or neither (the route the scene gives this user, with its
 * overrides); {@code overrides} ({@code node → param → value}) apply on top. With {@code compare}, a
 * second side runs the same request and the answer is side by side. {@code deadline_ms} replaces the
 * DAG's budget (0 or absent: the DAG's own, a faithful replay; a replayed request's own
 * {@code timeout_ms} when it sent one).
 */
final class ExplainService {

    /** Upper bound on dropped items listed per stage. */
    static final int MAX_DROPPED = 1_000;

    private final LiveConfig live;
    private final DagCompiler compiler;
    private final Explainer explainer;
    private final RecentRequests recent;

    ExplainService(LiveConfig live, DagCompiler compiler, Explainer explainer, RecentRequests recent) {
        this.live = live;
        this.compiler = compiler;
        this.explainer = explainer;
        this.recent = recent;
    }

    /**
     * A parsed request: what to run and on which DAG(s).
     *
     * @param replayed the served request it replays ({@code request_id}), or null when typed in
     */
    record Plan(Explainer.Request request, CompiledDag a, CompiledDag b, int maxDropped, RecentRequests.Served replayed) {
    }

    /**
     * An explain request that cannot be answered: 400 (404 for an unknown {@code request_id}) with
     * the documented error body.
     *
     * @see #code()
     */
    static final class BadRequest extends IllegalArgumentException {
        private final int status;
        private final String code;
        private final String field;

        BadRequest(String code, String field, String message) {
            this(400, code, field, message);
        }

        BadRequest(int status, String code, String field, String message) {
            super(message);
            this.status = status;
            this.code = code;
            this.field = field;
        }

        /** The HTTP status: 400, or 404 for {@code unknown_request}. */
        int status() {
            return status;
        }

        /** The error code: {@code invalid_field}, {@code unknown_scene} or {@code unknown_request}. */
        String code() {
            return code;
        }

        /** The request field at fault ({@code compare.overrides.top}), or null. */
        String field() {
            return field;
        }
    }

    /**
     * Parses and compiles; blocking work (call on a worker thread).
     *
     * @throws DagException when a candidate or an override does not validate (file:line)
     * @throws BadRequest   for a malformed request, naming the field
     */
    Plan plan(JsonObject body) throws DagException {
        RecentRequests.Served served = served(body);
        String user;
        String scene;
        Integer count;
        Map<String, Object> context;
        if (served != null) {
            user = served.userId();
            scene = served.scene();
            count = served.count();
            context = served.context();
        } else {
            user = string(body, "user_id", "");
            if (user == null || user.isEmpty()) {
                throw new BadRequest("invalid_field", "user_id",
                        "'user_id' is required (e.g. \"u000042\"), or 'request_id' to replay a served request");
            }
            scene = string(body, "scene", "");
            scene = scene == null ? "home" : scene;
            count = integer(body, "count", "");
            if (count != null && count <= 0) {
                throw new BadRequest("invalid_field", "count", "'count' must be > 0, got " + count);
            }
            JsonObject ctx = object(body, "context", "");
            context = ctx == null ? Map.of() : ctx.getMap();
        }
        Integer maxDropped = integer(body, "max_dropped", "");
        if (maxDropped != null && (maxDropped < 0 || maxDropped > MAX_DROPPED)) {
            throw new BadRequest("invalid_field", "max_dropped", "'max_dropped' must be in 0.." + MAX_DROPPED + ", got " + maxDropped);
        }
        Integer deadlineMs = integer(body, "deadline_ms", "");
        if (deadlineMs != null && (deadlineMs < 0 || deadlineMs > 60_000)) {
            throw new BadRequest("invalid_field", "deadline_ms", "'deadline_ms' must be in 0..60000 (0 = the DAG's), got " + deadlineMs);
        }
        int bucket = served != null ? served.bucket() : Buckets.of(user);
        CompiledDag a = side(body, scene, bucket, "");
        JsonObject cmp = object(body, "compare", "");
        CompiledDag b = cmp == null ? null : side(cmp, scene, bucket, "compare.");
        int deadline = deadlineMs != null ? deadlineMs : served != null ? Replays.deadlineMs(served, a) : 0;
        Explainer.Request request = new Explainer.Request(user, scene, count == null ? 10 : count, context, bucket,
                deadline, served == null ? null : served.exclude());
        return new Plan(request, a, b, maxDropped == null ? 20 : maxDropped, served);
    }

    /**
     * The served request {@code request_id} names, or null when the body has none.
     *
     * @throws BadRequest 404 {@code unknown_request} when it is not kept; 400 when the body also types
     *                    in what the recorded request supplies
     */
    private RecentRequests.Served served(JsonObject body) {
        String id = string(body, "request_id", "");
        if (id == null) {
            return null;
        }
        if (id.isEmpty()) {
            throw new BadRequest("invalid_field", "request_id", "'request_id' must not be empty (the recommend response's \"request_id\")");
        }
        for (String typed : List.of("user_id", "scene", "count", "context")) {
            if (body.containsKey(typed)) {
                throw new BadRequest("invalid_field", typed, "'" + typed + "' comes from the served request when 'request_id' is"
                        + " given: leave it out, or leave out 'request_id' to run a request you type in");
            }
        }
        RecentRequests.Served s = recent.find(id);
        if (s == null) {
            throw new BadRequest(404, "unknown_request", "request_id", Replays.notKept(id, recent));
        }
        return s;
    }

    /** Runs a plan on {@code loop}; completes on it. */
    CompletableFuture<Map<String, Object>> run(Plan plan, LoopScheduler loop, boolean text) {
        if (plan.b() == null) {
            return explainer.explain(plan.a(), plan.request(), loop, plan.maxDropped())
                    .thenApply(e -> text ? text(plan, dev.funnel.engine.explain.ExplainText.render(e)) : withContext(e.toJson(), plan));
        }
        return explainer.compare(plan.a(), plan.b(), plan.request(), loop, plan.maxDropped())
                .thenApply(c -> text ? text(plan, dev.funnel.engine.explain.ExplainText.renderSideBySide(c)) : withContext(c.toJson(), plan));
    }

    /** The terminal rendering, after what was replayed when it is a served request. */
    private static Map<String, Object> text(Plan plan, String rendered) {
        return Map.of("text", plan.replayed() == null ? rendered
                : Replays.header(plan.replayed(), plan.a(), plan.request(), System.currentTimeMillis()) + rendered);
    }

    /**
     * The answer with the client context it replayed: part of what was run, as the user id is; and,
     * for a served request, {@code replayed}: its recorded inputs, when and by what it was served.
     */
    private static Map<String, Object> withContext(Map<String, Object> json, Plan plan) {
        Map<String, Object> m = new LinkedHashMap<>(json);
        m.put("context", plan.request().context());
        if (plan.replayed() != null) {
            m.put("replayed", Replays.json(plan.replayed(), plan.a(), plan.request(), System.currentTimeMillis()));
        }
        return m;
    }

    private CompiledDag side(JsonObject side, String scene, int bucket, String where) throws DagException {
        Map<String, Map<String, Object>> overrides = overrides(object(side, "overrides", where), where);
        String yaml = string(side, "yaml", where);
        String dag = string(side, "dag", where);
        if (yaml != null && dag != null) {
            throw new BadRequest("invalid_field", where + "dag",
                    where + "give either 'yaml' (a candidate file) or 'dag' (a live DAG), not both");
        }
        if (yaml != null) {
            String file = string(side, "file", where);
            DagLoader.Parsed parsed = DagLoader.read(file == null ? "candidate.yaml" : file, yaml);
            if (!parsed.problems().isEmpty()) {
                // Every problem at once: the shape errors and what validation finds around them.
                List<Problem> all = new java.util.ArrayList<>(parsed.problems());
                if (parsed.spec() != null) {
                    all.addAll(DagValidator.validate(parsed.spec(), compiler.registry()));
                }
                all.sort(java.util.Comparator.comparingInt(Problem::line));
                throw new DagException(all.stream().distinct().toList());
            }
            return compiler.compile(parsed.spec(), overrides);
        }
        RouteTable table = live.current();
        if (dag != null) {
            CompiledDag d = table.dags().get(dag);
            if (d == null) {
                throw new BadRequest("invalid_field", where + "dag", where + "dag: no live DAG '" + dag + "'; live: "
                        + table.dags().keySet());
            }
            return overrides.isEmpty() ? d : compiler.compile(d.spec(), overrides);
        }
        RouteTable.Route route = table.pick(scene, bucket);
        if (route == null) {
            throw new BadRequest("unknown_scene", "scene", "no scene '" + scene + "'; scenes: " + table.scenes());
        }
        if (overrides.isEmpty()) {
            return route.dag();
        }
        Map<String, Map<String, Object>> merged = new LinkedHashMap<>();
        route.overrides().forEach((k, v) -> merged.put(k, new LinkedHashMap<>(v)));
        overrides.forEach((k, v) -> merged.computeIfAbsent(k, x -> new LinkedHashMap<>()).putAll(v));
        return compiler.compile(route.dag().spec(), merged);
    }

    private static Map<String, Map<String, Object>> overrides(JsonObject o, String where) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (o == null) {
            return out;
        }
        for (String node : o.fieldNames()) {
            Object v = o.getValue(node);
            if (!(v instanceof JsonObject params)) {
                throw new BadRequest("invalid_field", where + "overrides." + node, where + "overrides." + node
                        + " must be an object of param → value, got " + describe(v));
            }
            out.put(node, new LinkedHashMap<>(params.getMap()));
        }
        return out;
    }

    // Typed reads that name the field; JsonObject's own getters throw a bare ClassCastException.

    private static String string(JsonObject o, String key, String where) {
        Object v = o.getValue(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new BadRequest("invalid_field", where + key, "'" + where + key + "' must be a string, got " + describe(v));
    }

    private static Integer integer(JsonObject o, String key, String where) {
        Object v = o.getValue(key);
        if (v == null) {
            return null;
        }
        if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() == ((Number) v).intValue()) {
            return ((Number) v).intValue();
        }
        throw new BadRequest("invalid_field", where + key, "'" + where + key + "' must be an integer, got " + describe(v));
    }

    private static JsonObject object(JsonObject o, String key, String where) {
        Object v = o.getValue(key);
        if (v == null || v instanceof JsonObject) {
            return (JsonObject) v;
        }
        String what = key.equals("overrides") ? "an object of node → {param: value}" : "an object";
        throw new BadRequest("invalid_field", where + key, "'" + where + key + "' must be " + what + ", got " + describe(v));
    }

    /** A JSON value as a person reads it in an error message. */
    static String describe(Object v) {
        if (v instanceof String s) {
            return "the string \"" + s + "\"";
        }
        if (v instanceof io.vertx.core.json.JsonArray) {
            return "an array";
        }
        if (v instanceof JsonObject) {
            return "an object";
        }
        return v == null ? "null" : v.toString();
    }

    /** Problems as JSON-ready maps. */
    static List<Object> problems(List<Problem> ps) {
        return ps.stream().<Object>map(p -> Map.of("file", p.file(), "line", p.line(), "message", p.message(),
                "text", p.toString())).toList();
    }
}
