package dev.funnel.server.sre;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.DagLoader;
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
     * Parses and compiles; blocking work (call on a worker thread).
     *
     * @throws DagException           when a candidate or an override does not validate (file:line)
     * @throws IllegalArgumentException for a malformed request, with the field in the message
     */
    Plan plan(JsonObject body) throws DagException {
        String user = body.getString("user_id");
        String scene = body.getString("scene", "home");
        int count = body.getInteger("count", 10);
        JsonObject ctx = body.getJsonObject("context", new JsonObject());
        int maxDropped = body.getInteger("max_dropped", 20);
        if (maxDropped < 0 || maxDropped > MAX_DROPPED) {
            throw new IllegalArgumentException("max_dropped must be in 0.." + MAX_DROPPED + ", got " + maxDropped);
        }
        int bucket = user == null ? 0 : Buckets.of(user);
        Explainer.Request request = new Explainer.Request(user, scene, count, ctx.getMap(), bucket,
                body.getInteger("deadline_ms", 0));
        CompiledDag a = side(body, scene, bucket, "");
        JsonObject cmp = body.getJsonObject("compare");
        CompiledDag b = cmp == null ? null : side(cmp, scene, bucket, "compare.");
        return new Plan(request, a, b, maxDropped);
    }

    /** Runs a plan on {@code loop}; completes on it. */
    CompletableFuture<Map<String, Object>> run(Plan plan, LoopScheduler loop, boolean text) {
        if (plan.b() == null) {
            return explainer.explain(plan.a(), plan.request(), loop, plan.maxDropped())
                    .thenApply(e -> text ? Map.of("text", dev.funnel.engine.explain.ExplainText.render(e)) : e.toJson());
        }
        return explainer.compare(plan.a(), plan.b(), plan.request(), loop, plan.maxDropped())
                .thenApply(c -> text ? Map.of("text", dev.funnel.engine.explain.ExplainText.renderSideBySide(c)) : c.toJson());
    }

    private CompiledDag side(JsonObject side, String scene, int bucket, String where) throws DagException {
        Map<String, Map<String, Object>> overrides = overrides(side.getJsonObject("overrides"), where);
        String yaml = side.getString("yaml");
        String dag = side.getString("dag");
        if (yaml != null && dag != null) {
            throw new IllegalArgumentException(where + "give either 'yaml' (a candidate file) or 'dag' (a live DAG), not both");
        }
        if (yaml != null) {
            String file = side.getString("file", "candidate.yaml");
            return compiler.compile(DagLoader.parse(file, yaml), overrides);
        }
        RouteTable table = live.current();
        if (dag != null) {
            CompiledDag d = table.dags().get(dag);
            if (d == null) {
                throw new IllegalArgumentException(where + "dag: no live DAG '" + dag + "'; live: " + table.dags().keySet());
            }
            return overrides.isEmpty() ? d : compiler.compile(d.spec(), overrides);
        }
        RouteTable.Route route = table.pick(scene, bucket);
        if (route == null) {
            throw new IllegalArgumentException("scene: no scene '" + scene + "'; scenes: " + table.scenes());
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
                throw new IllegalArgumentException(where + "overrides." + node + " must be an object of param → value, got " + v);
            }
            out.put(node, new LinkedHashMap<>(params.getMap()));
        }
        return out;
    }

    /** Problems as JSON-ready maps. */
    static List<Object> problems(List<Problem> ps) {
        return ps.stream().<Object>map(p -> Map.of("file", p.file(), "line", p.line(), "message", p.message(),
                "text", p.toString())).toList();
    }
}
