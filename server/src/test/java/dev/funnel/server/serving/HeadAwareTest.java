package dev.funnel.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sending on a response that was answered already (a late completion after a timeout's 503, say)
 * is a no-op, not an {@code IllegalStateException} from setting the status of an ended response;
 * a HEAD gets the GET's headers and no body.
 */
class HeadAwareTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSecondSendOnAnAnsweredResponseDoesNothing() throws Exception {
        CompletableFuture<Throwable> secondSend = new CompletableFuture<>();
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            HeadAware.send(req, 503, "application/json", Buffer.buffer("{\"first\":true}"));
            try {
                HeadAware.send(req, 200, "application/json", Buffer.buffer("{\"late\":true}"));
                secondSend.complete(null);
            } catch (Throwable t) {
                secondSend.complete(t);
            }
        });
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();

        Answer get = request(port, HttpMethod.GET);
        assertEquals(503, get.status());
        assertEquals("{\"first\":true}", get.body());
        assertNull(secondSend.get(10, TimeUnit.SECONDS), "the late send threw");

        Answer head = request(port, HttpMethod.HEAD);
        assertEquals(503, head.status());
        assertEquals(String.valueOf("{\"first\":true}".length()), head.contentLength());
        assertEquals("", head.body());
    }

    private record Answer(int status, String contentLength, String body) {
    }

    private Answer request(int port, HttpMethod method) throws Exception {
        return vertx.createHttpClient().request(method, port, "127.0.0.1", "/")
                .compose(r -> r.send())
                .compose(r -> r.body().map(b -> new Answer(r.statusCode(), r.getHeader("content-length"), b.toString())))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
