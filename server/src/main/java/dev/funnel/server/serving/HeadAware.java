package dev.funnel.server.serving;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Ending a response so that a HEAD gets what its GET would, without the body (RFC 9110 §9.3.2):
 * Vert.x drops a HEAD's body on HTTP/1.1 but sends it on HTTP/2, and clients reset a HEAD stream
 * that carries one. Shared by the API ({@code http.Json}) and the SRE endpoints ({@code sre}),
 * which cannot call each other's package. Event loop; never blocks.
 */
public final class HeadAware {

    private HeadAware() {
    }

    /**
     * Sets the status and content type and ends the request's response with {@code body} as
     * {@link #end} does; nothing when the response was ended or closed already (a late completion
     * after a timeout's answer or a client's reset), where setting the status would throw.
     */
    public static void send(HttpServerRequest req, int status, String contentType, Buffer body) {
        HttpServerResponse resp = req.response();
        if (resp.ended() || resp.closed()) {
            return;
        }
        end(req, resp.setStatusCode(status).putHeader("content-type", contentType), body);
    }

    /**
     * Ends {@code resp} (status and headers set) with {@code body}, or, to a HEAD request, with a
     * {@code content-length} of the body and no body; nothing when it was ended or closed already.
     */
    public static void end(HttpServerRequest req, HttpServerResponse resp, Buffer body) {
        if (resp.ended() || resp.closed()) {
            return;
        }
        if (req.method() == HttpMethod.HEAD) {
            resp.putHeader("content-length", Integer.toString(body.length())).end();
        } else {
            resp.end(body);
        }
    }
}
