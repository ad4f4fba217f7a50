package dev.funnel.server.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every endpoint with a body reads it as sent, whatever its content type: curl's {@code -d} and
 * {@code --data-binary} (the README's examples) label JSON and YAML {@code
 * application/x-www-form-urlencoded}, and bodies over 1 KiB used to fail form decoding.
 */
class RawBodyTest {

    static final String FORM = "application/x-www-form-urlencoded";
    static final String MULTIPART = "multipart/form-data; boundary=xyz";

    @ParameterizedTest(name = "content-type \"{0}\"")
    @ValueSource(strings = {FORM, MULTIPART, "text/plain", ""})
    void bodiesOverOneKibAreReadAsSentWhateverTheContentType(String contentType) throws Exception {
        String pad = "x".repeat(2_000);
        TestHttp.Resp rec = call(HttpMethod.POST, "/v1/recommend",
                "{\"user_id\":\"u000042\",\"scene\":\"home\",\"count\":3,\"context\":{\"pad\":\"" + pad + "\"}}", contentType, false);
        assertEquals(200, rec.status(), rec.body());
        assertEquals(3, rec.json().getJsonArray("items").size());

        StringBuilder events = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 30; i++) {
            events.append(i == 0 ? "" : ",").append("{\"request_id\":\"raw-body\",\"user_id\":\"u000042\",\"item_id\":")
                    .append(i + 1).append(",\"event\":\"expose\",\"ts\":1000}");
        }
        TestHttp.Resp feedback = call(HttpMethod.POST, "/v1/feedback", events.append("]}").toString(), contentType, false);
        assertEquals(202, feedback.status(), feedback.body());
        assertEquals(30, feedback.json().getInteger("accepted") + feedback.json().getInteger("dropped"), feedback.body());

        String yaml = Files.readString(FunnelServerTestSupport.DAGS.resolve("home.yaml")) + ("# " + pad + "\n");
        TestHttp.Resp validate = call(HttpMethod.POST, "/admin/dags/validate?file=home.yaml", yaml, contentType, true);
        assertEquals(200, validate.status(), validate.body());
        assertEquals(true, validate.json().getBoolean("valid"));

        TestHttp.Resp item = call(HttpMethod.PUT, "/v1/items/9000002", "{\"category\":\"c\",\"author\":\"a\",\"status\":\"offline\","
                + "\"attributes\":{\"pad\":\"" + pad + "\"}}", contentType, true);
        assertTrue(item.status() == 200 || item.status() == 201, item.body());
        TestHttp http = FunnelServerTestSupport.http();
        http.call(http.h2c, HttpMethod.DELETE, FunnelServerTestSupport.app().httpPort(), "/v1/items/9000002", null,
                Map.of("authorization", "Bearer " + FunnelServerTestSupport.TOKEN));
    }

    @ParameterizedTest(name = "content-type \"{0}\"")
    @ValueSource(strings = {FORM, MULTIPART, "application/json"})
    void aBodyOverTheLimitIs413SayingTheLimit(String contentType) throws Exception {
        int limit = FunnelServerTestSupport.app().config().maxBodyBytes();
        TestHttp.Resp r = call(HttpMethod.POST, "/v1/recommend",
                "{\"user_id\":\"u1\",\"scene\":\"home\",\"context\":{\"pad\":\"" + "x".repeat(limit) + "\"}}", contentType, false);
        assertEquals(413, r.status(), r.body());
        JsonObject e = r.json().getJsonObject("error");
        assertEquals("body_too_large", e.getString("code"));
        assertTrue(e.getString("message").contains(Integer.toString(limit)), e.getString("message"));
    }

    /** The same exchange over HTTP/1.1 (curl's default on http://) and h2c; both answers must agree. */
    private static TestHttp.Resp call(HttpMethod m, String path, String body, String contentType, boolean admin) throws Exception {
        TestHttp http = FunnelServerTestSupport.http();
        Map<String, String> headers = new java.util.HashMap<>();
        if (!contentType.isEmpty()) {
            headers.put("content-type", contentType);
        }
        if (admin) {
            headers.put("authorization", "Bearer " + FunnelServerTestSupport.TOKEN);
        }
        int port = FunnelServerTestSupport.app().httpPort();
        TestHttp.Resp h1 = http.call(http.http11, m, port, path, body, headers);
        TestHttp.Resp h2 = http.call(http.h2c, m, port, path, body, headers);
        assertEquals(h1.status() / 100, h2.status() / 100, "HTTP/1.1: " + h1.body() + "\nh2c: " + h2.body());
        return h2;
    }
}
