package dev.funnel.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.Problem;
import dev.funnel.engine.route.RouteTable;
import dev.funnel.engine.route.RoutingSpec;
import dev.funnel.server.admission.CpuLoadConfig;
import dev.funnel.server.admission.CpuLoadShedder;
import dev.funnel.server.serving.DagDeletion;
import dev.funnel.server.serving.LiveConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * The admin API, behind {@code Authorization: Bearer <token>} (401 JSON otherwise):
 * <ul>
 *   <li>{@code GET /admin/dags}: every DAG, its version, and the routes;</li>
 *   <li>{@code GET /admin/dags/:name}: one DAG as the list shows it, with the YAML text it was read from;</li>
 *   <li>{@code POST /admin/dags/validate}: 200 when the posted DAG YAML would go live, else 400 with every problem;</li>
 *   <li>{@code PUT /admin/dags/:name}: validate, compile and hot-swap (400 with every problem, old DAG still serving);</li>
 *   <li>{@code DELETE /admin/dags/:name}: undo an upload ({@link LiveConfig#deleteDag}). A DAG whose
 *       file is in {@code dags.dir} gets that file's last live version back (compiled and swapped as
 *       a reload swaps, origin {@code directory}); one without a file is removed, unless a route of
 *       the live routing names it (409 {@code dag_in_use} listing the routes). A DAG the directory
 *       serves is 409 {@code dag_from_directory} (edit or delete the file); once its file is deleted
 *       (the DAG keeps serving, as routes may name it) it is removed as an upload without a file.
 *       409 {@code directory_version_invalid} with the problems when the file's version no longer
 *       compiles with the live routing; 404 {@code unknown_dag}, 400 {@code invalid_name};</li>
 *   <li>{@code GET /admin/routes} (with the routing's YAML text), {@code POST /admin/routes/validate},
 *       {@code PUT /admin/routes}: the same for routing;</li>
 *   <li>{@code GET /admin/admission/cpu}: the CPU-load shedder's target, the process's CPU use and the
 *       share shed; {@code PUT /admin/admission/cpu} with {@code {"target_percent": 65}} sets the
 *       target live (0 = off; 400 outside 0..99, the old target stays).</li>
 * </ul>
 * Validation and compilation run on a Vert.x worker thread, never on the event loop.
 */
final class AdminHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_YAML_BYTES = 1 << 20;

    private final Vertx vertx;
    private final LiveConfig live;
    private final CpuLoadShedder cpuLoad;
    private final AdminAuth auth;

    AdminHandler(Vertx vertx, ServerDeps deps) {
        this.vertx = vertx;
        this.live = deps.live();
        this.cpuLoad = deps.cpuLoad();
        this.auth = new AdminAuth(deps.adminToken());
    }

    void mount(Router router) {
        // The token first: an unauthorized request's body is never read.
        router.route("/admin/*").handler(auth);
        router.route("/admin/*").handler(new RawBodyHandler(MAX_YAML_BYTES));
        router.get("/admin/dags").handler(this::listDags);
        router.post("/admin/dags/validate").handler(rc -> check(rc, "invalid_dag", live::checkDag, fileName(rc, "dag.yaml")));
        router.get("/admin/dags/:name").handler(this::getDag);
        router.put("/admin/dags/:name").handler(this::putDag);
        router.delete("/admin/dags/:name").handler(this::deleteDag);
        router.get("/admin/routes").handler(this::getRoutes);
        router.post("/admin/routes/validate").handler(rc ->
                check(rc, "invalid_routing", live::checkRouting, fileName(rc, "routing.yaml")));
        router.put("/admin/routes").handler(this::putRoutes);
        router.get("/admin/admission/cpu").handler(this::sendCpuLoad);
        router.put("/admin/admission/cpu").handler(this::putCpuLoad);
    }

    private void putCpuLoad(RoutingContext rc) {
        String expected = "expected {\"target_percent\": <integer 0..99>}";
        Buffer raw = rc.body().buffer();
        if (raw == null || raw.length() == 0) {
            Json.sendError(rc.request(), 400, "empty_body", "request body is empty; " + expected, null);
            return;
        }
        Object parsed;
        try {
            parsed = io.vertx.core.json.Json.decodeValue(raw);
        } catch (DecodeException e) {
            Json.sendError(rc.request(), 400, "bad_json", "malformed JSON: " + Json.parseProblem(e, null), null);
            return;
        }
        if (!(parsed instanceof JsonObject o)) {
            // A JSON array, string or number: valid JSON, but not the object this takes.
            Json.sendError(rc.request(), 400, "bad_json", "the body must be a JSON object, got "
                    + (parsed instanceof JsonArray ? "an array" : "'" + parsed + "'") + "; " + expected, null);
            return;
        }
        Object v = o.getValue("target_percent");
        if (!(v instanceof Integer percent)) {
            Json.sendError(rc.request(), 400, "invalid_field",
                    "expected {\"target_percent\": <integer 0..99>}, got " + (v == null ? "none" : "'" + v + "'"), "target_percent");
            return;
        }
        try {
            cpuLoad.setTargetPercent(percent); // validates, then one volatile write: never blocks the loop
        } catch (IllegalArgumentException e) {
            Json.sendError(rc.request(), 400, "invalid_field", e.getMessage(), "target_percent");
            return;
        }
        sendCpuLoad(rc); // the probe thread logs the change (no console I/O on the event loop)
    }

    private void sendCpuLoad(RoutingContext rc) {
        CpuLoadConfig c = cpuLoad.config(); // one read: target and interval from the same settings
        Json.send(rc.request(), 200, g -> {
            g.writeStartObject();
            g.writeNumberField("target_percent", c.targetPercent());
            g.writeNumberField("interval_ms", c.intervalNanos() / 1_000_000);
            g.writeNumberField("utilization", cpuLoad.utilization());
            g.writeNumberField("shed_fraction", cpuLoad.shedFraction());
            g.writeEndObject();
        });
    }

    private void listDags(RoutingContext rc) {
        LiveConfig.Snapshot live = this.live.snapshot();
        Json.send(rc.request(), 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("dags");
            for (CompiledDag d : live.table().dags().values()) {
                g.writeStartObject();
                writeDag(g, d, live);
                g.writeEndObject();
            }
            g.writeEndArray();
            writeRoutes(g, live.table());
            g.writeEndObject();
        });
    }

    /** What the list shows of the DAG, and the text it was read from: edit it and PUT it back. */
    private void getDag(RoutingContext rc) {
        String name = dagName(rc);
        if (name == null) {
            return;
        }
        LiveConfig.Snapshot live = this.live.snapshot();
        CompiledDag d = live.table().dags().get(name);
        if (d == null) {
            Json.sendError(rc.request(), 404, "unknown_dag", "no dag '" + name + "'; serving: " + live.table().dags().keySet(), "name");
            return;
        }
        Json.send(rc.request(), 200, g -> {
            g.writeStartObject();
            writeDag(g, d, live);
            g.writeStringField("source", d.spec().source());
            g.writeEndObject();
        });
    }

    private static void writeDag(JsonGenerator g, CompiledDag d, LiveConfig.Snapshot live) throws IOException {
        g.writeStringField("name", d.name());
        g.writeStringField("version", d.version());
        g.writeStringField("file", d.spec().file());
        g.writeStringField("origin", live.dagOrigin(d.name()));
        g.writeNumberField("deadline_ms", d.spec().deadlineMs());
        g.writeArrayFieldStart("nodes");
        for (String n : d.spec().nodes().keySet()) {
            g.writeString(n);
        }
        g.writeEndArray();
    }

    /** The routes as compiled, and the routing text they were read from: edit it and PUT it back. */
    private void getRoutes(RoutingContext rc) {
        LiveConfig.Snapshot live = this.live.snapshot();
        RoutingSpec routing = live.table().config().routing();
        Json.send(rc.request(), 200, g -> {
            g.writeStartObject();
            writeRoutes(g, live.table());
            g.writeStringField("file", routing.file());
            g.writeStringField("origin", live.routingOrigin());
            g.writeStringField("source", routing.source());
            g.writeEndObject();
        });
    }

    private void putDag(RoutingContext rc) {
        String name = dagName(rc);
        if (name == null) {
            return;
        }
        String yaml = body(rc);
        vertx.executeBlocking(() -> live.replaceDag(name + ".yaml", yaml, name), false).onComplete(ar -> {
            if (ar.succeeded()) {
                CompiledDag d = ar.result();
                Json.send(rc.request(), 200, g -> {
                    g.writeStartObject();
                    g.writeStringField("dag", d.name());
                    g.writeStringField("version", d.version());
                    g.writeBooleanField("live", true);
                    g.writeEndObject();
                });
            } else if (ar.cause() instanceof DagException e) {
                Json.sendProblems(rc.response(), "invalid_dag", withFormHint(rc, name + ".yaml", e.problems()));
            } else {
                internal(rc, "hot swap of dag " + name, ar.cause());
            }
        });
    }

    /** Undoes an upload, on a worker thread as PUT compiles: putting the file's version back compiles every route. */
    private void deleteDag(RoutingContext rc) {
        String name = dagName(rc);
        if (name == null) {
            return;
        }
        vertx.executeBlocking(() -> live.deleteDag(name), false).onComplete(ar -> {
            if (ar.failed()) {
                if (ar.cause() instanceof DagException e) {
                    Json.sendProblems(rc.response(), 409, "directory_version_invalid", e.problems());
                } else {
                    internal(rc, "delete of dag " + name, ar.cause());
                }
                return;
            }
            DagDeletion d = ar.result();
            if (d instanceof DagDeletion.Restored r) {
                Json.send(rc.request(), 200, g -> {
                    g.writeStartObject();
                    g.writeStringField("dag", name);
                    g.writeStringField("outcome", "restored");
                    g.writeStringField("version", r.dag().version());
                    g.writeStringField("origin", LiveConfig.Snapshot.DIRECTORY);
                    g.writeStringField("file", r.dag().spec().file());
                    g.writeBooleanField("live", true);
                    g.writeEndObject();
                });
            } else if (d instanceof DagDeletion.Removed) {
                Json.send(rc.request(), 200, g -> {
                    g.writeStartObject();
                    g.writeStringField("dag", name);
                    g.writeStringField("outcome", "removed");
                    g.writeBooleanField("live", false);
                    g.writeEndObject();
                });
            } else if (d instanceof DagDeletion.Unknown u) {
                Json.sendError(rc.request(), 404, "unknown_dag", "no dag '" + name + "'; serving: " + u.serving(), "name");
            } else if (d instanceof DagDeletion.FromDirectory f) {
                Json.sendError(rc.request(), 409, "dag_from_directory", "dag '" + name + "' is read from " + f.file()
                        + " in dags.dir, not uploaded: there is no upload to undo, and a reload or a restart would read it"
                        + " again. Edit that file, or delete it: once hot reload has seen it go, the DAG keeps serving"
                        + " while a route names it, and DELETE removes it when none does", "name",
                        g -> g.writeStringField("file", f.file()));
            } else if (d instanceof DagDeletion.InUse u) {
                Json.sendError(rc.request(), 409, "dag_in_use", "dag '" + name + "' has no file in dags.dir to go back to,"
                        + " and removing it would leave routes pointing at nothing: " + u.routes()
                        + "; PUT /admin/routes without them first", "name", g -> {
                            g.writeArrayFieldStart("routes");
                            for (DagDeletion.RouteRef ref : u.routes()) {
                                g.writeStartObject();
                                g.writeStringField("scene", ref.scene());
                                g.writeStringField("route", ref.route());
                                g.writeNumberField("traffic", ref.trafficPercent());
                                g.writeEndObject();
                            }
                            g.writeEndArray();
                        });
            } else {
                internal(rc, "delete of dag " + name, new IllegalStateException("unexpected outcome " + d));
            }
        });
    }

    private void putRoutes(RoutingContext rc) {
        String yaml = body(rc);
        String file = fileName(rc, "routing.yaml");
        vertx.executeBlocking(() -> live.replaceRouting(file, yaml), false).onComplete(ar -> {
            if (ar.succeeded()) {
                Json.send(rc.request(), 200, g -> {
                    g.writeStartObject();
                    writeRoutes(g, ar.result());
                    g.writeBooleanField("live", true);
                    g.writeEndObject();
                });
            } else if (ar.cause() instanceof DagException e) {
                Json.sendProblems(rc.response(), "invalid_routing", withFormHint(rc, file, e.problems()));
            } else {
                internal(rc, "routing replace", ar.cause());
            }
        });
    }

    /**
     * Validates the body with {@code checker} on a worker thread, as PUT compiles: validating a
     * large DAG takes a second or more, which on the event loop would stall every request it serves.
     */
    private void check(RoutingContext rc, String code, BiFunction<String, String, List<Problem>> checker, String file) {
        String text = body(rc);
        vertx.executeBlocking(() -> checker.apply(file, text), false).onComplete(ar -> {
            if (ar.succeeded()) {
                answerCheck(rc, code, ar.result().isEmpty() ? ar.result() : withFormHint(rc, file, ar.result()));
            } else {
                internal(rc, "validation of " + file, ar.cause());
            }
        });
    }

    private static void answerCheck(RoutingContext rc, String code, List<Problem> problems) {
        if (problems.isEmpty()) {
            Json.send(rc.request(), 200, g -> {
                g.writeStartObject();
                g.writeBooleanField("valid", true);
                g.writeEndObject();
            });
        } else {
            Json.sendProblems(rc.response(), code, problems);
        }
    }

    /**
     * The problems, led by one saying why when the body came as a form: {@code curl -d @f.yaml}
     * drops the file's line breaks and {@code -F} wraps it in multipart, so the YAML error alone
     * ("mapping values are not allowed here" at line 1) points at a file that has no such mistake.
     */
    static List<Problem> withFormHint(RoutingContext rc, String file, List<Problem> problems) {
        String type = rc.request().getHeader("content-type");
        String t = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
        if (!t.startsWith("application/x-www-form-urlencoded") && !t.startsWith("multipart/form-data")) {
            return problems;
        }
        List<Problem> out = new java.util.ArrayList<>(problems.size() + 1);
        out.add(new Problem(file, 0, "the body was sent as a form (content-type: " + type.split(";")[0].trim()
                + "), not as the file: curl -d drops its line breaks and -F wraps it; send it with --data-binary @"
                + file + " (the problems below may only be that)"));
        out.addAll(problems);
        return out;
    }

    private static void writeRoutes(JsonGenerator g, RouteTable t) throws IOException {
        g.writeObjectFieldStart("scenes");
        for (String scene : t.scenes()) {
            g.writeArrayFieldStart(scene);
            for (RouteTable.Route r : t.routes(scene)) {
                g.writeStartObject();
                g.writeStringField("name", r.name());
                g.writeStringField("dag", r.dag().name());
                g.writeStringField("version", r.dag().version());
                g.writeNumberField("traffic", (r.toBucket() - r.fromBucket()) * 100.0 / dev.funnel.engine.route.Buckets.COUNT);
                g.writeArrayFieldStart("buckets");
                g.writeNumber(r.fromBucket());
                g.writeNumber(r.toBucket());
                g.writeEndArray();
                g.writeFieldName("overrides");
                Json.writeValue(g, r.overrides());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** The path's DAG name, or null once a 400 {@code invalid_name} was sent: no DAG can have it. */
    private static String dagName(RoutingContext rc) {
        String name = rc.pathParam("name");
        if (!NAME.matcher(name).matches()) {
            Json.sendError(rc.request(), 400, "invalid_name", "dag name must match " + NAME + ", got '" + name + "'", "name");
            return null;
        }
        return name;
    }

    private static String body(RoutingContext rc) {
        return rc.body().buffer() == null ? "" : rc.body().asString("UTF-8");
    }

    private static String fileName(RoutingContext rc, String def) {
        String n = rc.queryParams().get("file");
        return n == null || !NAME.matcher(n).matches() ? def : n;
    }

    private static void internal(RoutingContext rc, String what, Throwable cause) {
        LOG.error("{} failed", what, cause);
        Json.sendError(rc.request(), 500, "internal", what + " failed: " + cause, null);
    }
}
