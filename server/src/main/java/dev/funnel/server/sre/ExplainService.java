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
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Resolves an explain request to compiled DAGs and runs it. A side is one of: {@code yaml} (a
 * candidate file's text, compiled but never made live), {@code dag} (a live DAG by name), or
 * neither (the route the scene gives this user, with its overrides); {@code overrides}
 * ({@code node → param → value}) apply on top. With {@code compare}, a second side runs the same
 * request and the answer is side by side. {@code deadline_ms} replaces the DAG's budget (0 or absent:
 * the DAG's own, a faithful replay).
 */
final class ExplainService {

    /** Upper bound on dropped items listed per stage. */
    static final int MAX_DROPPED = 1_000;

    private final LiveConfig live;
    private final DagCompiler compiler;
    private final Explainer explainer;

    ExplainService(LiveConfig live, DagCompiler compiler, Explainer explainer) {
        this.live = live;
        this.compiler = compiler;
        this.explainer = explainer;
    }

    /** A parsed request: what to run and on which DAG(s). */
    record Plan(Explainer.Request request, CompiledDag a, CompiledDag b, int maxDropped) {
    }

    /**
     * A malformed explain request: answered 400 with the documented error body.
     *
     * @see #code()
     */
    static final class BadRequest extends IllegalArgumentException {
        private final String code;
        private final String field;

        BadRequest(String code, String field, String message) {
            super(message);
            this.code = code;
            this.field = field;
        }

        /** The error code: {@code invalid_field} or {@code unknown_scene}. */
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
        String user = string(body, "user_id", "");
        if (user == null || user.isEmpty()) {
            throw new BadRequest("invalid_field", "user_id", "'user_id' is required (e.g. \"u000042\")");
        }
        String scene = string(body, "scene", "");
        scene = scene == null ? "home" : scene;
        Integer count = integer(body, "count", "");
        if (count != null && count <= 0) {
            throw new BadRequest("invalid_field", "count", "'count' must be > 0, got " + count);
        }
        JsonObject ctx = object(body, "context", "");
        Integer maxDropped = integer(body, "max_dropped", "");
        if (maxDropped != null && (maxDropped < 0 || maxDropped > MAX_DROPPED)) {
            throw new BadRequest("invalid_field", "max_dropped", "'max_dropped' must be in 0.." + MAX_DROPPED + ", got " + maxDropped);
        }
        Integer deadlineMs = integer(body, "deadline_ms", "");
        if (deadlineMs != null && (deadlineMs < 0 || deadlineMs > 60_000)) {
            throw new BadRequest("invalid_field", "deadline_ms", "'deadline_ms' must be in 0..60000 (0 = the DAG's), got " + deadlineMs);
        }
        int bucket = Buckets.of(user);
        Explainer.Request request = new Explainer.Request(user, scene, count == null ? 10 : count,
                ctx == null ? Map.of() : ctx.getMap(), bucket, deadlineMs == null ? 0 : deadlineMs);
        CompiledDag a = side(body, scene, bucket, "");
        JsonObject cmp = object(body, "compare", "");
        CompiledDag b = cmp == null ? null : side(cmp, scene, bucket, "compare.");
        return new Plan(request, a, b, maxDropped == null ? 20 : maxDropped);
    }

    /** Runs a plan on {@code loop}; completes on it. */
    CompletableFuture<Map<String, Object>> run(Plan plan, LoopScheduler loop, boolean text) {
        if (plan.b() == null) {
            return explainer.explain(plan.a(), plan.request(), loop, plan.maxDropped())
                    .thenApply(e -> text ? Map.of("text", dev.funnel.engine.explain.ExplainText.render(e)) : withContext(e.toJson(), plan));
        }
        return explainer.compare(plan.a(), plan.b(), plan.request(), loop, plan.maxDropped())
                .thenApply(c -> text ? Map.of("text", dev.funnel.engine.explain.ExplainText.renderSideBySide(c)) : withContext(c.toJson(), plan));
    }

    /** The answer with the client context it replayed: part of what was run, as the user id is. */
    private static Map<String, Object> withContext(Map<String, Object> json, Plan plan) {
        Map<String, Object> m = new LinkedHashMap<>(json);
        m.put("context", plan.request().context());
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
