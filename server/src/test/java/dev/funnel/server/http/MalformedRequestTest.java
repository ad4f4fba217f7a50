package dev.funnel.server.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad requests to the real server get a 4xx with a JSON error saying what and where; never a 5xx. */
class MalformedRequestTest {

    static Stream<Arguments> cases() {
        String big = "{\"user_id\":\"u1\",\"scene\":\"home\",\"context\":{\"pad\":\"" + "x".repeat(70_000) + "\"}}";
        StringBuilder many = new StringBuilder("{\"user_id\":\"u1\",\"scene\":\"home\",\"exclude\":[");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append(i);
        }
        many.append("]}");
        return Stream.of(
                Arguments.of("bad JSON", "{\"user_id\":", 400, "bad_json", null),
                Arguments.of("trailing garbage", "{\"user_id\":\"u\",\"scene\":\"home\"} x", 400, "bad_json", null),
                Arguments.of("not an object", "[1,2]", 400, "bad_json", null),
                Arguments.of("empty body", "", 400, "empty_body", null),
                Arguments.of("duplicate field", "{\"user_id\":\"a\",\"user_id\":\"b\",\"scene\":\"home\"}", 400, "bad_json", null),
                Arguments.of("missing user_id", "{\"scene\":\"home\"}", 400, "invalid_field", "user_id"),
                Arguments.of("user_id number", "{\"user_id\":42,\"scene\":\"home\"}", 400, "invalid_field", "user_id"),
                Arguments.of("empty user_id", "{\"user_id\":\" \",\"scene\":\"home\"}", 400, "invalid_field", "user_id"),
                Arguments.of("missing scene", "{\"user_id\":\"u1\"}", 400, "invalid_field", "scene"),
                Arguments.of("unknown scene", "{\"user_id\":\"u1\",\"scene\":\"nope\"}", 400, "unknown_scene", "scene"),
                Arguments.of("count 0", "{\"user_id\":\"u1\",\"scene\":\"home\",\"count\":0}", 400, "invalid_field", "count"),
                Arguments.of("count 201", "{\"user_id\":\"u1\",\"scene\":\"home\",\"count\":201}", 400, "invalid_field", "count"),
                Arguments.of("count string", "{\"user_id\":\"u1\",\"scene\":\"home\",\"count\":\"5\"}", 400, "invalid_field", "count"),
                Arguments.of("count float", "{\"user_id\":\"u1\",\"scene\":\"home\",\"count\":2.5}", 400, "invalid_field", "count"),
                Arguments.of("count huge", "{\"user_id\":\"u1\",\"scene\":\"home\",\"count\":99999999999}", 400, "invalid_field", "count"),
                Arguments.of("exclude not array", "{\"user_id\":\"u1\",\"scene\":\"home\",\"exclude\":5}", 400, "invalid_field", "exclude"),
                Arguments.of("exclude string id", "{\"user_id\":\"u1\",\"scene\":\"home\",\"exclude\":[1,\"2\"]}", 400, "invalid_field", "exclude"),
                Arguments.of("too many excludes", many.toString(), 400, "invalid_field", "exclude"),
                Arguments.of("debug string", "{\"user_id\":\"u1\",\"scene\":\"home\",\"debug\":\"yes\"}", 400, "invalid_field", "debug"),
                Arguments.of("context array", "{\"user_id\":\"u1\",\"scene\":\"home\",\"context\":[]}", 400, "invalid_field", "context"),
                Arguments.of("timeout negative", "{\"user_id\":\"u1\",\"scene\":\"home\",\"timeout_ms\":-1}", 400, "invalid_field", "timeout_ms"),
                Arguments.of("body over 64 KiB", big, 413, "body_too_large", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejected(String name, String body, int status, String code, String field) throws Exception {
        TestHttp.Resp r = FunnelServerTestSupport.http().post(FunnelServerTestSupport.http().h2c,
                FunnelServerTestSupport.app().httpPort(), "/v1/recommend", body);
        assertEquals(status, r.status(), name + ": " + r.body());
        assertEquals("application/json", r.headers().get("content-type"));
        JsonObject e = r.json().getJsonObject("error");
        assertEquals(status, e.getInteger("status"));
        assertEquals(code, e.getString("code"), r.body());
        assertEquals(field, e.getString("field"), r.body());
        assertFalse(e.getString("message").isBlank());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("positions")
    void messagesSayWhere(String body, String expected) throws Exception {
        TestHttp.Resp r = FunnelServerTestSupport.http().post(FunnelServerTestSupport.http().h2c,
                FunnelServerTestSupport.app().httpPort(), "/v1/recommend", body);
        String message = r.json().getJsonObject("error").getString("message");
        assertTrue(message.contains(expected), message);
    }

    static Stream<Arguments> positions() {
        return Stream.of(
                Arguments.of("{\"user_id\":\"u1\",\n\"scene\":\"home\",\n\"count\":500}", "line 3"),
                Arguments.of("{\"user_id\":\"u1\",\"scene\":\"home\",\"count\":500}", "got 500"),
                Arguments.of("{\"user_id\":\"u1\",\"scene\":\"nope\"}", "known scenes: [home, slow]"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("routes")
    void unknownRoutesAndMethodsAreJsonToo(HttpMethod method, String path, int status) throws Exception {
        TestHttp.Resp r = FunnelServerTestSupport.http().call(FunnelServerTestSupport.http().h2c, method,
                FunnelServerTestSupport.app().httpPort(), path, null, Map.of());
        assertEquals(status, r.status(), r.body());
        assertEquals(status, r.json().getJsonObject("error").getInteger("status"));
    }

    static Stream<Arguments> routes() {
        return Stream.of(Arguments.of(HttpMethod.GET, "/v1/nothing", 404), Arguments.of(HttpMethod.GET, "/v1/recommend", 405));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badJson")
    void badJsonSaysWhatAndWhereWithoutParserInternals(HttpMethod method, String path, String body) throws Exception {
        TestHttp.Resp r = FunnelServerTestSupport.http().call(FunnelServerTestSupport.http().h2c, method,
                FunnelServerTestSupport.app().httpPort(), path, body,
                Map.of("content-type", "application/json", "authorization", "Bearer " + FunnelServerTestSupport.TOKEN));
        assertEquals(400, r.status(), r.body());
        JsonObject e = r.json().getJsonObject("error");
        assertEquals("bad_json", e.getString("code"), r.body());
        String message = e.getString("message");
        assertTrue(message.contains("line 1, column "), message);
        assertFalse(message.contains("Source") || message.contains("REDACTED") || message.contains("StreamReadFeature"), message);
    }

    static Stream<Arguments> badJson() {
        String deep = "[".repeat(40) + "]".repeat(40);
        return Stream.of(
                Arguments.of(HttpMethod.POST, "/v1/recommend", "{\"user_id\":\"u1\",\"scene\":\"home\",\"context\":{\"a\":" + deep + "}}"),
                Arguments.of(HttpMethod.POST, "/v1/feedback", "{\"events\":" + deep + "}"),
                Arguments.of(HttpMethod.POST, "/v1/feedback", "{\"events\":[}"),
                Arguments.of(HttpMethod.PUT, "/v1/items/9000003", "{\"category\":"));
    }

    @org.junit.jupiter.api.Test
    void unknownFieldsAreIgnored() throws Exception {
        TestHttp.Resp r = FunnelServerTestSupport.http().post(FunnelServerTestSupport.http().h2c,
                FunnelServerTestSupport.app().httpPort(), "/v1/recommend",
                "{\"user_id\":\"u1\",\"scene\":\"home\",\"future_field\":{\"a\":[1,2,{\"b\":null}]},\"count\":2}");
        assertEquals(200, r.status(), r.body());
        assertEquals(2, r.json().getJsonArray("items").size());
    }
}
