package dev.funnel.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a recommend body with Jackson's streaming parser: strict about the fields it knows (type,
 * range, required), tolerant of fields it does not (skipped, so clients can send more than this
 * version reads). Errors say what is wrong, with the value, the field and the line:column.
 * Stateless; any thread.
 */
final class RequestParser {

    static final int DEFAULT_COUNT = 10;
    static final int MAX_USER_ID_CHARS = 256;
    static final int MAX_SCENE_CHARS = 128;
    static final int MAX_TIMEOUT_MS = 60_000;
    static final int MAX_CONTEXT_DEPTH = 8;

    private static final com.fasterxml.jackson.core.JsonFactory FACTORY = com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxNumberLength(40).build())
            .build();

    private final int maxCount;
    private final int maxExcludes;

    RequestParser(int maxCount, int maxExcludes) {
        this.maxCount = maxCount;
        this.maxExcludes = maxExcludes;
    }

    RecommendRequest parse(Buffer body) throws ApiError {
        if (body == null || body.length() == 0) {
            throw new ApiError(400, "empty_body", "request body is empty; expected a JSON object", null);
        }
        byte[] bytes = body.getBytes();
        try (JsonParser p = FACTORY.createParser(bytes)) {
            try {
                return read(p);
            } catch (IOException e) { // in memory: Jackson's parse and limit errors (nesting, number length)
                throw new ApiError(400, "bad_json", "malformed JSON: " + Json.parseProblem(e, p), null);
            }
        } catch (IOException e) { // closing a parser over a byte array: does not happen
            throw new ApiError(400, "bad_json", "malformed JSON: " + Json.parseProblem(e, null), null);
        }
    }

    private RecommendRequest read(JsonParser p) throws IOException, ApiError {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new ApiError(400, "bad_json", "the body must be a JSON object, got " + describe(p) + at(p), null);
        }
        String userId = null;
        String scene = null;
        int count = DEFAULT_COUNT;
        Map<String, Object> context = Map.of();
        long[] exclude = new long[0];
        boolean debug = false;
        int timeoutMs = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "user_id" -> userId = string(p, v, f, MAX_USER_ID_CHARS);
                case "scene" -> scene = string(p, v, f, MAX_SCENE_CHARS);
                case "count" -> count = integer(p, v, f, 1, maxCount);
                case "timeout_ms" -> timeoutMs = v == JsonToken.VALUE_NULL ? 0 : integer(p, v, f, 1, MAX_TIMEOUT_MS);
                case "debug" -> {
                    if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
                        throw ApiError.invalid(f, "'debug' must be true or false, got " + describe(p) + at(p));
                    }
                    debug = v == JsonToken.VALUE_TRUE;
                }
                case "context" -> {
                    if (v == JsonToken.VALUE_NULL) {
                        context = Map.of();
                    } else if (v != JsonToken.START_OBJECT) {
                        throw ApiError.invalid(f, "'context' must be an object, got " + describe(p) + at(p));
                    } else {
                        context = readObject(p, 1);
                    }
                }
                case "exclude" -> exclude = readExclude(p, v);
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new ApiError(400, "bad_json", "malformed JSON object" + at(p), null);
        }
        if (p.nextToken() != null) {
            throw new ApiError(400, "bad_json", "unexpected content after the JSON object" + at(p), null);
        }
        if (userId == null) {
            throw ApiError.invalid("user_id", "'user_id' is required");
        }
        if (scene == null) {
            throw ApiError.invalid("scene", "'scene' is required");
        }
        return new RecommendRequest(userId, scene, count, context, exclude, debug, timeoutMs);
    }

    private long[] readExclude(JsonParser p, JsonToken v) throws IOException, ApiError {
        if (v == JsonToken.VALUE_NULL) {
            return new long[0];
        }
        if (v != JsonToken.START_ARRAY) {
            throw ApiError.invalid("exclude", "'exclude' must be an array of item ids, got " + describe(p) + at(p));
        }
        long[] ids = new long[16];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (n == maxExcludes) {
                throw ApiError.invalid("exclude", "'exclude' has more than " + maxExcludes + " ids" + at(p));
            }
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw ApiError.invalid("exclude", "'exclude[" + n + "]' must be an integer item id, got " + describe(p) + at(p));
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw ApiError.invalid("exclude", "'exclude[" + n + "]' is out of range, got " + p.getText() + at(p));
            }
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
            }
            ids[n++] = p.getLongValue();
        }
        return Arrays.copyOf(ids, n);
    }

    private static String string(JsonParser p, JsonToken v, String f, int maxChars) throws IOException, ApiError {
        if (v != JsonToken.VALUE_STRING) {
            throw ApiError.invalid(f, "'" + f + "' must be a string, got " + describe(p) + at(p));
        }
        String s = p.getText();
        if (s.isBlank()) {
            throw ApiError.invalid(f, "'" + f + "' must not be empty" + at(p));
        }
        if (s.length() > maxChars) {
            throw ApiError.invalid(f, "'" + f + "' must have at most " + maxChars + " characters, got " + s.length() + at(p));
        }
        return s;
    }

    private static int integer(JsonParser p, JsonToken v, String f, int min, int max) throws IOException, ApiError {
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw ApiError.invalid(f, "'" + f + "' must be an integer in " + min + ".." + max + ", got " + describe(p) + at(p));
        }
        if (p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < min || p.getIntValue() > max) {
            throw ApiError.invalid(f, "'" + f + "' must be an integer in " + min + ".." + max + ", got " + p.getText() + at(p));
        }
        return p.getIntValue();
    }

    private static Map<String, Object> readObject(JsonParser p, int depth) throws IOException, ApiError {
        if (depth > MAX_CONTEXT_DEPTH) {
            throw ApiError.invalid("context", "'context' nests deeper than " + MAX_CONTEXT_DEPTH + at(p));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            Object v = readValue(p, p.nextToken(), depth);
            if (v != null || depth > 1) { // "context": {"z": null} says no z, as leaving it out does
                m.put(k, v);
            }
        }
        return m;
    }

    private static Object readValue(JsonParser p, JsonToken t, int depth) throws IOException, ApiError {
        switch (t) {
            case START_OBJECT:
                return readObject(p, depth + 1);
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    l.add(readValue(p, e, depth + 1));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.INT ? (Object) p.getIntValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    private static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string \"" + abbreviate(p.getText()) + "\"";
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> p.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getText();
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static String at(JsonParser p) {
        return at(p.currentTokenLocation());
    }

    private static String at(JsonLocation l) {
        return l == null ? "" : " (at line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
    }
}
