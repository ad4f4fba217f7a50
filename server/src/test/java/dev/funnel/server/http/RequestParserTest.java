package dev.funnel.server.http;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestParserTest {

    private final RequestParser parser = new RequestParser(200, 3);

    @Test
    void readsEveryField() throws ApiError {
        RecommendRequest r = parser.parse(Buffer.buffer("""
                {"user_id":"u7","scene":"home","count":12,"context":{"device":"ios","page":2,"tags":["a",1.5,null]},
                 "exclude":[5,9],"debug":true,"timeout_ms":40,"unknown":{"x":[1]}}"""));
        assertEquals("u7", r.userId());
        assertEquals("home", r.scene());
        assertEquals(12, r.count());
        assertEquals(Map.of("device", "ios", "page", 2, "tags", java.util.Arrays.asList("a", 1.5, null)), r.context());
        assertArrayEquals(new long[] {5, 9}, r.exclude());
        assertTrue(r.debug());
        assertEquals(40, r.timeoutMs());
    }

    @Test
    void defaults() throws ApiError {
        RecommendRequest r = parser.parse(Buffer.buffer("{\"user_id\":\"u\",\"scene\":\"s\"}"));
        assertEquals(RequestParser.DEFAULT_COUNT, r.count());
        assertEquals(0, r.exclude().length);
        assertEquals(0, r.timeoutMs());
        assertEquals(Map.of(), r.context());
    }

    @Test
    void aNullContextValueIsAKeyNotSent() throws ApiError {
        RecommendRequest r = parser.parse(Buffer.buffer(
                "{\"user_id\":\"u\",\"scene\":\"s\",\"context\":{\"z\":null,\"device\":\"ios\",\"page\":{\"n\":null}}}"));
        Map<String, Object> page = new java.util.HashMap<>();
        page.put("n", null); // nested values are the client's data, nulls included
        assertEquals(Map.of("device", "ios", "page", page), r.context());
    }

    @Test
    void limitsAreEnforced() {
        ApiError e = assertThrows(ApiError.class, () -> parser.parse(Buffer.buffer("{\"user_id\":\"u\",\"scene\":\"s\",\"exclude\":[1,2,3,4]}")));
        assertEquals("exclude", e.field);
        e = assertThrows(ApiError.class, () -> parser.parse(Buffer.buffer("{\"user_id\":\"" + "x".repeat(300) + "\",\"scene\":\"s\"}")));
        assertEquals("user_id", e.field);
        StringBuilder deep = new StringBuilder("{\"user_id\":\"u\",\"scene\":\"s\",\"context\":");
        deep.append("{\"a\":".repeat(12)).append("1").append("}".repeat(12)).append("}");
        e = assertThrows(ApiError.class, () -> parser.parse(Buffer.buffer(deep.toString())));
        assertEquals("context", e.field);
    }

    @Test
    void typeErrorsSayWhatAndWhere() {
        for (List<String> c : List.of(
                List.of("{\"user_id\":\"u\",\"scene\":\"s\",\"count\":true}", "'count' must be an integer in 1..200, got true (at line 1, column 36)"),
                List.of("{\"user_id\":\"u\",\"scene\":{}}", "'scene' must be a string, got an object"),
                List.of("{\"user_id\":\"u\",\"scene\":\"s\",\"exclude\":[1, 2.5]}", "'exclude[1]' must be an integer item id, got 2.5"))) {
            ApiError e = assertThrows(ApiError.class, () -> parser.parse(Buffer.buffer(c.get(0))));
            assertTrue(e.getMessage().contains(c.get(1)), e.getMessage());
            assertEquals(400, e.status);
        }
    }
}
