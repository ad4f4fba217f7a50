package dev.funnel.server.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request's body as the bytes sent, whatever its content type says, into {@code
 * rc.body()}. Our bodies are JSON or YAML, and curl's {@code -d} / {@code --data-binary} label them
 * {@code application/x-www-form-urlencoded}: Vert.x Web's {@code BodyHandler} decodes such a body as
 * a form (failing past 1 KiB) or a multipart one as parts, and either way the handler never sees the
 * bytes. A body over the limit fails the request with 413 ({@link TooLarge}) as soon as its
 * {@code content-length} or its bytes say so. A client that goes away mid-body is logged at debug
 * and answered nothing (no one is there to read it).
 *
 * <p>One instance per route, shared by its requests; runs on the request's event loop.
 */
final class RawBodyHandler implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(RawBodyHandler.class);
    private static final int MAX_PREALLOCATED_BYTES = 64 * 1024;

    private final int limitBytes;

    RawBodyHandler(int limitBytes) {
        this.limitBytes = limitBytes;
    }

    @Override
    public void handle(RoutingContext rc) {
        RoutingContextInternal ctx = (RoutingContextInternal) rc;
        if (ctx.seenHandler(RoutingContextInternal.BODY_HANDLER)) { // a body handler of an earlier route read it
            rc.next();
            return;
        }
        ctx.visitHandler(RoutingContextInternal.BODY_HANDLER); // what rc.body() checks before it answers
        HttpServerRequest req = rc.request();
        long declared = contentLength(req);
        if (declared > limitBytes) {
            rc.fail(413, new TooLarge(limitBytes));
            return;
        }
        if (req.isEnded()) { // the router pauses a request, so only one that had ended before it came here
            ctx.setBody(Buffer.buffer());
            rc.next();
            return;
        }
        if (req.version() != HttpVersion.HTTP_1_0 && "100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
            rc.response().writeContinue(); // curl asks before sending a body over 1 KiB on HTTP/1.1
        }
        new Reader(rc, ctx, declared).start();
    }

    private static long contentLength(HttpServerRequest req) {
        String v = req.getHeader("content-length");
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1; // the codec rejects a bad length before a request gets here
        }
    }

    /** One request's body as it arrives. */
    private final class Reader {
        private final RoutingContext rc;
        private final RoutingContextInternal ctx;
        private final Buffer body;
        private boolean failed;

        Reader(RoutingContext rc, RoutingContextInternal ctx, long declared) {
            this.rc = rc;
            this.ctx = ctx;
            this.body = declared > 0 ? Buffer.buffer((int) Math.min(declared, MAX_PREALLOCATED_BYTES)) : Buffer.buffer();
        }

        void start() {
            rc.request().handler(this::chunk).endHandler(v -> end()).exceptionHandler(this::failure).resume();
        }

        private void chunk(Buffer b) {
            if (failed) {
                return;
            }
            if (body.length() + b.length() > limitBytes) {
                failed = true;
                rc.fail(413, new TooLarge(limitBytes));
                return;
            }
            body.appendBuffer(b);
        }

        private void end() {
            if (!failed) {
                ctx.setBody(body);
                rc.next();
            }
        }

        private void failure(Throwable t) {
            if (failed) {
                return;
            }
            failed = true;
            if (t instanceof HttpClosedException || t instanceof StreamResetException || rc.response().closed()) {
                LOG.debug("client went away while sending the body of {} {}: {}", rc.request().method(), rc.request().path(), t.toString());
                return;
            }
            rc.fail(400, t);
        }
    }

    /** The failure of a request whose body is over the limit: the router's 413 handler says the limit. */
    static final class TooLarge extends RuntimeException {
        final int limitBytes;

        TooLarge(int limitBytes) {
            super("request body is larger than " + limitBytes + " bytes", null, false, false);
            this.limitBytes = limitBytes;
        }
    }
}
