package dev.funnel.server.http;

import io.vertx.core.http.HttpServerRequest;

/**
 * Answers a request that is refused before its body was read (413 from the declared length, 401, 503)
 * only once the request has fully arrived, discarding the body meanwhile.
 *
 * <p>Why: over HTTP/2 an answer that completes while the client is still sending the body (waiting for
 * WINDOW_UPDATEs) leaves the stream half-open; the Vert.x HTTP/2 client then sometimes never completes
 * its request (seen as a lost h2c request in the server tests). Draining first makes every exchange
 * request-complete-then-response. Bodies larger than {@link #MAX_DRAIN_BYTES} are not drained: the
 * answer goes out at once, as before.
 */
public final class EarlyAnswer {

    /** Most bytes of an unwanted body read and discarded before answering anyway. */
    public static final long MAX_DRAIN_BYTES = 1L << 20;

    private EarlyAnswer() {
    }

    /**
     * Runs {@code answer} on the request's event loop once the request has ended (its remaining body
     * discarded), or at once when it has already ended, its length exceeds {@link #MAX_DRAIN_BYTES}, or
     * the stream fails.
     */
    public static void afterBody(HttpServerRequest request, Runnable answer) {
        if (request.isEnded() || declaredLength(request) > MAX_DRAIN_BYTES) {
            answer.run();
            return;
        }
        boolean[] done = {false};
        long[] drainedBytes = {0};
        Runnable once = () -> {
            if (!done[0]) {
                done[0] = true;
                answer.run();
            }
        };
        request.handler(chunk -> {
            drainedBytes[0] += chunk.length();
            if (drainedBytes[0] > MAX_DRAIN_BYTES) {
                once.run();
            }
        });
        request.endHandler(v -> once.run());
        request.exceptionHandler(e -> once.run()); // the response write then fails on the closed stream
        request.resume();
    }

    private static long declaredLength(HttpServerRequest request) {
        String v = request.getHeader("content-length");
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // malformed: do not wait for it
        }
    }
}
