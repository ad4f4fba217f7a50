package dev.funnel.server.http;

import io.vertx.core.Future;
import dev.funnel.server.ConfigLoader;
import dev.funnel.server.admission.AdmissionHandler;
import dev.funnel.server.metrics.HttpMetrics;
import dev.funnel.server.serving.WarmUp;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.StreamResetException;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's HTTP servers: the cleartext and the TLS server share this verticle's router,
 * so a request is handled on the loop that accepted its connection. Deployed once per event loop;
 * Vert.x spreads connections of the shared ports over the instances.
 */
final class HttpVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
    /** Where the router keeps a request's arrival ({@code System.nanoTime()}), for the latency of router-level errors. */
    private static final String ARRIVAL_NANOS = "funnel.arrivalNanos";

    private final ServerDeps deps;
    private final List<HttpServer> servers = new ArrayList<>();
    private AdmissionHandler admission;

    HttpVerticle(ServerDeps deps) {
        this.deps = deps;
    }

    @Override
    public Future<?> start() {
        VertxLoopScheduler loop = new VertxLoopScheduler(context);
        Router router = router(loop);
        List<Future<HttpServer>> bound = new ArrayList<>();
        if (deps.config().httpPort() >= 0) {
            HttpServerOptions clear = options(deps.config().httpPort()).setHttp2ClearTextEnabled(true);
            bound.add(listen(clear, router, "http.port"));
        }
        if (deps.config().httpsPort() >= 0) {
            HttpServerOptions tls = options(deps.config().httpsPort()).setSsl(true).setUseAlpn(true).setKeyCertOptions(deps.tls());
            bound.add(listen(tls, router, "https.port"));
        }
        return Future.all(bound);
    }

    /**
     * What both ports share. The idle timeout ({@code server.idle_timeout_s}, a minute by default;
     * 0 is none) closes a connection the client has sent nothing on that long (a client
     * stalled mid-body, say), so stalled connections do not pile up for ever. It is a <em>read</em>
     * idle timeout on purpose: Vert.x's {@code setIdleTimeout} is Netty's all-idle, whose handler
     * also watches writes and so turns every written frame's void promise into a real one with a
     * listener; with it a request cost 11-15% more CPU (BENCHMARKS.md, session 19). The read-only
     * handler's own frames are 0.04% of the server's CPU samples (session 20).
     */
    private HttpServerOptions options(int port) {
        return new HttpServerOptions().setHost(deps.config().host()).setPort(port).setTcpNoDelay(true)
                .setReadIdleTimeout(deps.config().idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS);
    }

    /** Listens on the port of config key {@code key}; a failure (in use, a host that does not resolve) names both. */
    private Future<HttpServer> listen(HttpServerOptions options, Router router, String key) {
        HttpServer s = vertx.createHttpServer(options).requestHandler(router);
        servers.add(s);
        return s.listen().recover(e -> Future.failedFuture(new IllegalArgumentException("cannot listen on " + options.getHost()
                + ":" + options.getPort() + " (" + key + " / " + ConfigLoader.envName(key) + ", http.host / "
                + ConfigLoader.envName("http.host") + "): " + e.getMessage(), e)));
    }

    @Override
    public Future<?> stop() {
        if (admission != null) {
            admission.close();
        }
        return Future.succeededFuture();
    }

    /** Actual ports, in the order cleartext, TLS (for ephemeral binding). */
    List<Integer> ports() {
        return servers.stream().map(HttpServer::actualPort).toList();
    }

    /** Stops accepting, lets in-flight streams finish for up to {@code drainMillis}, then closes. */
    Future<?> shutdownServers(long drainMillis) {
        List<Future<Void>> all = new ArrayList<>();
        for (HttpServer s : servers) {
            all.add(s.shutdown(drainMillis, TimeUnit.MILLISECONDS));
        }
        return Future.join(all);
    }

    private Router router(VertxLoopScheduler loop) {
        Router router = Router.router(vertx);
        router.route().handler(rc -> { // first: a router-level error is timed from here
            rc.put(ARRIVAL_NANOS, System.nanoTime());
            rc.next();
        });
        RecommendHandler recommend = new RecommendHandler(deps, loop);
        admission = AdmissionHandler.forRecommend(deps.config(), deps.metrics(), deps.prometheus(),
                ((ContextInternal) context).nettyEventLoop(), deps.poolDelay(), deps.warmUpToken(), deps.cpuLoad());
        // The body first, then admission (on its own route: a PlatformHandler must come first on its
        // route): a request whose body is slow to arrive holds no permit, so a few hundred clients
        // that send headers and stall cannot take every permit and shed everyone else.
        router.post("/v1/recommend").handler(new RawBodyHandler(deps.config().maxBodyBytes()));
        router.post("/v1/recommend").handler(admission).handler(recommend::handle);
        // GET and HEAD (probes and curl -I): HEAD gets the same status and headers, no body.
        router.get("/health/live").method(HttpMethod.HEAD).handler(rc -> Json.send(rc.request(), 200, g -> {
            g.writeStartObject();
            g.writeStringField("status", "live");
            g.writeEndObject();
        }));
        router.get("/health/ready").method(HttpMethod.HEAD).handler(rc -> {
            boolean ready = deps.readiness().ready();
            Json.send(rc.request(), ready ? 200 : 503, g -> {
                g.writeStartObject();
                g.writeStringField("status", ready ? "ready" : "not_ready");
                g.writeFieldName("gates");
                Json.writeValue(g, deps.readiness().gates());
                g.writeEndObject();
            });
        });
        router.get("/metrics").method(HttpMethod.HEAD).handler(rc -> vertx.executeBlocking(() -> deps.prometheus().scrape(), false)
                .onSuccess(text -> {
                    HttpServerResponse resp = rc.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8");
                    if (rc.request().method() == HttpMethod.HEAD) {
                        resp.putHeader("content-length", Integer.toString(text.getBytes(StandardCharsets.UTF_8).length)).end();
                    } else {
                        resp.end(text);
                    }
                })
                .onFailure(rc::fail));
        new AdminHandler(vertx, deps).mount(router);
        new ModelAdminHandler(vertx, deps).mount(router);
        new FeedbackHandler(deps).mount(router, deps.config().maxBodyBytes());
        new ItemsHandler(vertx, deps).mount(router, deps.config().maxBodyBytes());
        if (deps.sre() != null) {
            deps.sre().mount(vertx, router, loop); // sre: schema, reload, explain, console
        }
        answerHeadWhereGetIs(router);
        router.errorHandler(404, rc -> routerError(rc, 404, "not_found",
                "no endpoint " + rc.request().method() + " " + rc.request().path()));
        router.errorHandler(405, rc -> {
            rc.response().putHeader("allow", allowedMethods(router, rc.request().path()));
            routerError(rc, 405, "method_not_allowed", "method " + rc.request().method() + " is not allowed on " + rc.request().path());
        });
        router.errorHandler(413, rc -> routerError(rc, 413, "body_too_large", "request body is too large (the limit here is "
                + (rc.failure() instanceof RawBodyHandler.TooLarge t ? t.limitBytes : deps.config().maxBodyBytes()) + " bytes)"));
        router.errorHandler(400, rc -> routerError(rc, 400, "bad_request", badRequest(rc.failure())));
        router.errorHandler(500, this::internalError);
        return router;
    }

    /**
     * Every route that serves GET serves HEAD too (RFC 9110 §9.3.2: the same status and headers, no
     * body), whoever mounted it: probes and {@code curl -I} work on any GET endpoint. The handlers
     * write through {@code Json.send(HttpServerRequest, …)} (or, in {@code sre}, its own HEAD-aware
     * end), which sends a HEAD only the headers with the {@code content-length} a GET would get:
     * HTTP/1.1 in Vert.x drops a HEAD's body itself, HTTP/2 does not. Adding a method to a mounted
     * route keeps its place in the router's order.
     */
    static void answerHeadWhereGetIs(Router router) {
        for (Route r : router.getRoutes()) {
            Set<HttpMethod> serves = r.methods();
            if (serves != null && serves.contains(HttpMethod.GET) && !serves.contains(HttpMethod.HEAD)) {
                r.method(HttpMethod.HEAD);
            }
        }
    }

    /**
     * Answers an error the router found (no route, wrong method, body too large or unreadable, a
     * handler's failure) and counts it in {@code funnel_http_requests_seconds} like every answer
     * of the handlers (warm-up traffic aside): the error rate on the dashboard includes them.
     */
    private void routerError(RoutingContext rc, int status, String code, String message) {
        if (rc.response().ended() || rc.response().closed()) {
            return; // answered (and counted) already, or no one left to answer
        }
        Json.sendError(rc.request(), status, code, message, null); // no body to a HEAD
        if (!WarmUp.isWarmUp(deps.warmUpToken(), rc.request().getHeader(WarmUp.HEADER))) {
            Long arrival = rc.get(ARRIVAL_NANOS);
            deps.metrics().request(endpoint(rc.request().path()), HttpMetrics.NO_SCENE, status,
                    arrival == null ? 0 : System.nanoTime() - arrival);
        }
    }

    /**
     * The methods some route serves {@code path} with, for a 405's {@code Allow} (RFC 9110 §15.5.6).
     * Walks the routes: only 405s pay for it.
     */
    static String allowedMethods(Router router, String path) {
        Set<String> methods = new TreeSet<>();
        for (Route r : router.getRoutes()) {
            Set<HttpMethod> serves = r.methods(); // null or empty: any method (a filter such as the admin token's)
            if (serves != null && !serves.isEmpty() && servesPath(r.getPath(), r.isExactPath(), path)) {
                serves.forEach(m -> methods.add(m.name()));
            }
        }
        return String.join(", ", methods);
    }

    /** Whether a route's path ({@code /v1/items/:id}; {@code /admin/} for {@code /admin/*}, not exact) takes {@code path}. */
    static boolean servesPath(String template, boolean exact, String path) {
        if (template == null) {
            return false; // a regex route: we mount none
        }
        if (!exact) {
            return path.startsWith(template);
        }
        String[] want = template.split("/", -1);
        String[] got = path.split("/", -1);
        if (want.length != got.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            boolean param = want[i].startsWith(":") && !got[i].isEmpty();
            if (!param && !want[i].equals(got[i])) {
                return false;
            }
        }
        return true;
    }

    /** The {@code endpoint} tag of a path: a fixed set, so clients cannot make up new series. */
    static String endpoint(String path) {
        if (path == null) {
            return "other";
        } else if (path.equals("/v1/recommend")) {
            return "recommend"; // RecommendHandler's and AdmissionHandler's tag
        } else if (path.equals("/v1/feedback")) {
            return "feedback";
        } else if (path.startsWith("/v1/items/")) {
            return "items";
        } else if (path.startsWith("/admin/")) {
            return "admin";
        } else if (path.startsWith("/health/")) {
            return "health";
        } else if (path.equals("/metrics")) {
            return "metrics";
        } else if (path.startsWith("/console")) {
            return "console";
        }
        return "other";
    }

    /** What a 400 from the router (a path or a body Vert.x could not read) says: never "null". */
    private static String badRequest(Throwable failure) {
        String why = failure == null ? null : failure.getMessage();
        return "the request could not be read" + (why == null || why.isBlank() ? "" : ": " + why);
    }

    private void internalError(RoutingContext rc) {
        Throwable failure = rc.failure();
        if (failure instanceof HttpClosedException || failure instanceof StreamResetException || rc.response().closed()) {
            // The client went away (closed the connection, reset the stream): routine, and no one to answer.
            LOG.debug("client went away during {} {}: {}", rc.request().method(), rc.request().path(), String.valueOf(failure));
            return;
        }
        LOG.error("unhandled error on {} {}", rc.request().method(), rc.request().path(), failure);
        routerError(rc, 500, "internal", "internal error");
    }
}
