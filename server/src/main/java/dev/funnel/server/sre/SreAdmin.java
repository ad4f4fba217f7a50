package dev.funnel.server.sre;

import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.Problem;
import dev.funnel.engine.exec.DagExecutor;
import dev.funnel.engine.explain.Explainer;
import dev.funnel.engine.schema.DagSchemas;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.width.NodeLatencies;
import dev.funnel.server.reload.LiveConfigReloader;
import dev.funnel.server.serving.AdminToken;
import dev.funnel.server.serving.HeadAware;
import dev.funnel.server.serving.LiveConfig;
import dev.funnel.server.serving.RecentRequests;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;

/**
 * Mounts the SRE endpoints on each event loop's router. Everything under {@code /admin/} is behind
 * the admin API's bearer-token check (mounted before this); {@code /console/} checks the token
 * itself — from the {@code Authorization} header, a {@code ?token=} query (which also sets an
 * HttpOnly cookie for the page's assets) or that cookie:
 * <ul>
 *   <li>{@code GET /admin/schema} (both schemas), {@code /admin/schema/dag.schema.json},
 *       {@code /admin/schema/routing.schema.json};</li>
 *   <li>{@code GET /admin/reload}: every config file's state and recent reloads with file:line
 *       problems; {@code POST /admin/reload}: poll the directory now;</li>
 *   <li>{@code POST /admin/explain}: replay one request with the trace, typed in or a served one by its
 *       {@code request_id} (see {@link ExplainService});
 *       {@code ?format=text} for the terminal rendering;</li>
 *   <li>{@code GET /admin/console/state}: the console's data; {@code GET /console/}: the page.</li>
 * </ul>
 * Blocking work (compiling, reading resources once) runs on worker threads; explain runs the DAG on
 * the event loop that took the request, like any request.
 */
public final class SreAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(SreAdmin.class);
    private static final String COOKIE = "funnel_console";
    private static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    private final LiveConfig live;
    private final OperatorEnv env;
    private final NodeLatencies stats;
    private final LiveConfigReloader reloader;
    private final ExplainService explain;
    private final String dagSchema;
    private final String routingSchema;
    private final AdminToken token;
    private final Map<String, Buffer> assets;
    private volatile ToDoubleBiFunction<String, String> widthFactor = (dag, node) -> 1.0;

    /**
     * @param live     the serving configuration
     * @param compiler compiles candidates and overrides for explain
     * @param executor runs explain requests
     * @param env      where {@link ModelStatusSource}s are found
     * @param stats    recent per-node numbers (register it as an execution listener)
     * @param reloader hot reload, or null when disabled
     * @param adminToken the admin bearer token
     * @param recent   the served requests explain replays by {@code request_id}
     */
    public SreAdmin(LiveConfig live, DagCompiler compiler, DagExecutor executor, OperatorEnv env, NodeLatencies stats,
                    LiveConfigReloader reloader, String adminToken, RecentRequests recent) {
        this.live = live;
        this.env = env;
        this.stats = stats;
        this.reloader = reloader;
        this.explain = new ExplainService(live, compiler, new Explainer(executor), recent);
        this.dagSchema = DagSchemas.toJson(DagSchemas.dag(compiler.registry()));
        this.routingSchema = DagSchemas.toJson(DagSchemas.routing(compiler.registry()));
        this.token = new AdminToken(adminToken);
        this.assets = Map.of("index.html", asset("index.html"), "console.js", asset("console.js"),
                "console.css", asset("console.css"));
    }

    /** Where the console reads each node's width factor (latency-driven width); 1.0 by default. */
    public void widthFactors(ToDoubleBiFunction<String, String> f) {
        this.widthFactor = f;
    }

    /** Mounts the routes; call after the admin API's {@code /admin/*} token check is mounted. */
    public void mount(Vertx vertx, Router router, LoopScheduler loop) {
        router.get("/admin/schema").handler(rc -> sendJson(rc.request(), 200,
                "{\"dag\":" + dagSchema + ",\"routing\":" + routingSchema + "}"));
        router.get("/admin/schema/" + DagSchemas.DAG_SCHEMA_FILE).handler(rc -> sendJson(rc.request(), 200, dagSchema));
        router.get("/admin/schema/" + DagSchemas.ROUTING_SCHEMA_FILE).handler(rc -> sendJson(rc.request(), 200, routingSchema));
        router.get("/admin/reload").handler(rc -> sendJson(rc.request(), 200, reloadJson()));
        router.post("/admin/reload").handler(rc -> {
            if (reloader == null) {
                sendError(rc.request(), 409, "reload_disabled", "hot reload is off (reload.enabled=false)", null);
                return;
            }
            vertx.executeBlocking(() -> {
                reloader.pollNow();
                return reloadJson();
            }, false).onSuccess(j -> sendJson(rc.request(), 200, j)).onFailure(rc::fail);
        });
        router.post("/admin/explain").handler(rc -> explain(vertx, rc, loop));
        router.get("/admin/console/state").handler(rc -> sendJson(rc.request(), 200,
                new JsonObject(ConsoleState.build(live.current(), stats, reloader == null ? null : reloader.log(),
                        env.find(ModelStatusSource.class).map(List::of).orElse(List.of(new RegistryModelStatus(env))), widthFactor,
                        System.currentTimeMillis())).encode()));
        // Vert.x matches "/console" for "/console/" too: redirect only the bare path, so the page's
        // relative asset URLs resolve under /console/.
        router.get("/console").handler(rc -> {
            if (rc.request().path().endsWith("/")) {
                console(rc, "index.html");
            } else {
                rc.response().setStatusCode(302).putHeader("location",
                        "/console/" + (rc.request().query() == null ? "" : "?" + rc.request().query())).end();
            }
        });
        router.get("/console/:asset").handler(rc -> console(rc, rc.pathParam("asset")));
    }

    private String reloadJson() {
        if (reloader == null) {
            return "{\"enabled\":false,\"files\":[],\"recent\":[]}";
        }
        JsonObject j = new JsonObject(reloader.log().toJson());
        j.put("enabled", true);
        return j.encode();
    }

    private void explain(Vertx vertx, RoutingContext rc, LoopScheduler loop) {
        boolean text = "text".equals(rc.queryParams().get("format"));
        String expected = "POST a JSON object: {\"user_id\" | \"request_id\", \"scene\" | \"dag\" | \"yaml\", \"overrides\", \"compare\"}";
        Buffer raw = rc.body().buffer();
        if (raw == null || raw.length() == 0) {
            sendError(rc.request(), 400, "empty_body", "request body is empty; " + expected, null);
            return;
        }
        Object parsed;
        try {
            parsed = io.vertx.core.json.Json.decodeValue(raw);
        } catch (DecodeException e) {
            sendError(rc.request(), 400, "bad_json", "malformed JSON: " + e.getMessage(), null);
            return;
        }
        if (!(parsed instanceof JsonObject body)) {
            sendError(rc.request(), 400, "bad_json", "the body must be a JSON object, got "
                    + ExplainService.describe(parsed) + "; " + expected, null);
            return;
        }
        vertx.executeBlocking(() -> explain.plan(body), false).onComplete(ar -> {
            if (ar.failed()) {
                Throwable c = ar.cause();
                if (c instanceof DagException e) {
                    sendProblems(rc.request(), e.problems());
                } else if (c instanceof ExplainService.BadRequest e) {
                    sendError(rc.request(), e.status(), e.code(), e.getMessage(), e.field());
                } else {
                    LOG.error("explain failed", c);
                    sendError(rc.request(), 500, "internal", "explain failed: " + c, null);
                }
                return;
            }
            explain.run(ar.result(), loop, text).whenComplete((json, err) -> {
                if (err != null) {
                    LOG.error("explain run failed", err);
                    sendError(rc.request(), 500, "internal", "explain run failed: " + err, null);
                } else if (text) {
                    rc.response().setStatusCode(200).putHeader("content-type", "text/plain; charset=utf-8")
                            .end((String) json.get("text"));
                } else {
                    sendJson(rc.request(), 200, new JsonObject(json).encode());
                }
            });
        });
    }

    private void console(RoutingContext rc, String name) {
        Buffer body = assets.get(name);
        if (body == null) {
            sendError(rc.request(), 404, "not_found", "no console asset '" + name + "'", null);
            return;
        }
        String query = rc.queryParams().get("token");
        boolean viaQuery = query != null && token.matches(query);
        if (!viaQuery && !authorized(rc)) {
            rc.response().putHeader("www-authenticate", "Bearer realm=\"funnel-admin\"");
            sendError(rc.request(), 401, "unauthorized", "open /console/?token=<admin token> (or send 'Authorization: Bearer <token>')", null);
            return;
        }
        HttpServerResponse resp = rc.response();
        if (viaQuery) {
            resp.putHeader("set-cookie", COOKIE + "=" + query + "; Path=/console; HttpOnly; SameSite=Strict");
        }
        HeadAware.end(rc.request(), resp.putHeader("content-type", ASSETS.get(name)).putHeader("cache-control", "no-store"), body);
    }

    /** The admin API's bearer check ({@link AdminToken}), or the console's cookie. */
    private boolean authorized(RoutingContext rc) {
        if (token.bearerMatches(rc.request().getHeader("authorization"))) {
            return true;
        }
        var c = rc.request().getCookie(COOKIE);
        return c != null && token.matches(c.getValue());
    }

    private static Buffer asset(String name) {
        try (InputStream in = SreAdmin.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console asset /console/" + name + " is missing from the class path");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("reading console asset " + name, e);
        }
    }

    private static void sendJson(HttpServerRequest req, int status, String json) {
        HeadAware.send(req, status, "application/json", Buffer.buffer(json));
    }

    /**
     * The error body every admin and API error uses (README, API): {@code {"error": {status, code, message, field}}}.
     * The same shape as {@code http.Json.sendError}, written here because {@code http} mounts this
     * package and a call back into it would make the two packages depend on each other.
     */
    private static void sendError(HttpServerRequest req, int status, String code, String message, String field) {
        sendJson(req, status, new JsonObject().put("error", error(status, code, message, field)).encode());
    }

    /** A 400 {@code invalid_dag} with every problem, shaped as the admin API's DAG validation answers it. */
    private static void sendProblems(HttpServerRequest req, List<Problem> problems) {
        JsonObject error = error(400, "invalid_dag", problems.size() + " problem(s): " + problems.get(0)
                + (problems.size() > 1 ? " …" : ""), null);
        error.put("problems", ExplainService.problems(problems));
        sendJson(req, 400, new JsonObject().put("error", error).encode());
    }

    private static JsonObject error(int status, String code, String message, String field) {
        return new JsonObject().put("status", status).put("code", code).put("message", message).put("field", field);
    }
}
