package dev.funnel.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over h2c a request refused before its body is read (413 by declared length, 401 admin) is answered only
 * after the client has finished sending the body. A body over 64 KiB cannot be sent before the server
 * returns flow-control window, so an answer sent at once overtook the request's end: the half-open
 * exchange that made the Vert.x HTTP/2 client lose an answer now and then.
 */
class EarlyAnswerTest {

    static Stream<Arguments> refusals() {
        String big = "{\"user_id\":\"u1\",\"scene\":\"home\",\"context\":{\"pad\":\"" + "x".repeat(70_000) + "\"}}";
        return Stream.of(
                Arguments.of(HttpMethod.POST, "/v1/recommend", big, 413),
                Arguments.of(HttpMethod.PUT, "/admin/dags/home", "# " + "y".repeat(70_000), 401));
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @MethodSource("refusals")
    void answerComesAfterTheWholeRequest(HttpMethod method, String path, String body, int status) throws Exception {
        TestHttp http = FunnelServerTestSupport.http();
        RequestOptions o = new RequestOptions().setMethod(method).setHost("localhost")
                .setPort(FunnelServerTestSupport.app().httpPort()).setURI(path);
        AtomicBoolean requestWritten = new AtomicBoolean();
        CompletableFuture<Boolean> writtenWhenAnswered = new CompletableFuture<>();
        CompletableFuture<Integer> answered = new CompletableFuture<>();
        http.h2c.request(o).onSuccess(req -> {
            req.response().onSuccess(resp -> {
                writtenWhenAnswered.complete(requestWritten.get());
                resp.body().onSuccess(b -> answered.complete(resp.statusCode()))
                        .onFailure(answered::completeExceptionally);
            }).onFailure(answered::completeExceptionally);
            req.end(Buffer.buffer(body)).onSuccess(v -> requestWritten.set(true))
                    .onFailure(answered::completeExceptionally);
        }).onFailure(answered::completeExceptionally);

        assertEquals(status, answered.get(10, TimeUnit.SECONDS));
        assertTrue(writtenWhenAnswered.get(1, TimeUnit.SECONDS),
                "the server answered " + status + " before the client finished sending the body");
    }
}
