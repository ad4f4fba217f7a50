package dev.funnel.server.http;

import dev.funnel.server.serving.AdminToken;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The admin token check in front of every write that changes what is served and every read of what
 * is live ({@code /admin/*}, {@code GET/PUT/DELETE /v1/items/{id}}): {@code Authorization: Bearer <token>} passes (the scheme in
 * any case, RFC 9110 §11.1), anything else gets 401 {@code unauthorized} with {@code
 * WWW-Authenticate}. The token is compared in constant time. Stateless; any event loop.
 */
final class AdminAuth implements Handler<RoutingContext> {

    private final AdminToken token;

    AdminAuth(String token) {
        this.token = new AdminToken(token);
    }

    @Override
    public void handle(RoutingContext rc) {
        String h = rc.request().getHeader("authorization");
        if (token.bearerMatches(h)) {
            rc.next();
            return;
        }
        rc.response().putHeader("www-authenticate", "Bearer realm=\"funnel-admin\"");
        Json.sendError(rc.request(), 401, "unauthorized",
                h == null ? "missing 'Authorization: Bearer <token>' header" : "wrong admin token", null);
    }
}
