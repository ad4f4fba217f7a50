package dev.funnel.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.funnel.engine.dag.Problem;
import dev.funnel.server.serving.HeadAware;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.regex.Pattern;

/** Writing JSON responses with Jackson's streaming generator (no tree, no reflection). */
final class Json {

    /**
     * Numbers by Schubfach (Jackson's fast writer), not {@code Double.toString}: the shortest
     * digits that read back as the same value, at a fraction of the JDK 17 routine's cost, which
     * was the largest single item of writing a response.
     */
    static final JsonFactory FACTORY = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    static final String CONTENT_TYPE = "application/json";
    /** The field name of a score, encoded once. */
    static final SerializableString SCORE = new SerializedString("score");

    private Json() {
    }

    /** Writes one JSON document. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * The document's bytes in a buffer that goes to the response as is: the generator's (recycled)
     * buffer is copied once, into it, instead of into a byte array that is then copied twice more.
     */
    static Buffer encode(Body body) {
        Buffer out = Buffer.buffer(512);
        try (JsonGenerator g = FACTORY.createGenerator(new BufferOutput(out))) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("JSON encoding failed", e); // in-memory: a bug, not I/O
        }
        return out;
    }

    /** Appends to a buffer. */
    private static final class BufferOutput extends OutputStream {
        private final Buffer buffer;

        BufferOutput(Buffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public void write(int b) {
            buffer.appendByte((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buffer.appendBytes(b, off, len);
        }
    }

    static void send(HttpServerResponse resp, int status, Body body) {
        if (resp.ended() || resp.closed()) {
            return;
        }
        resp.setStatusCode(status).putHeader("content-type", CONTENT_TYPE).end(encode(body));
    }

    /**
     * As {@link #send(HttpServerResponse, int, Body)}, but to a HEAD request only the headers, with
     * the {@code content-length} a GET would get (RFC 9110 §9.3.2): Vert.x's HTTP/2 response would
     * send the body, and clients reset a HEAD stream that carries one.
     */
    static void send(HttpServerRequest req, int status, Body body) {
        HeadAware.send(req, status, CONTENT_TYPE, encode(body));
    }

    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)]");

    /**
     * What is wrong with a JSON body, where: Jackson's own words and {@code (at line L, column C)},
     * without the {@code [Source: REDACTED (StreamReadFeature…) …]} it puts in its messages (a
     * location inside the words, "for Array starting at …", becomes {@code line L, column C}).
     * Takes a Vert.x {@link DecodeException} too (its cause is Jackson's).
     *
     * @param parser the parser that failed, for where it was when the error carries no location
     *               (Jackson's limits: nesting depth, number length); null if not at hand
     */
    static String parseProblem(Throwable e, JsonParser parser) {
        Throwable t = e instanceof DecodeException && e.getCause() != null ? e.getCause() : e;
        if (!(t instanceof JsonProcessingException j)) {
            return String.valueOf(t.getMessage());
        }
        JsonLocation l = j.getLocation() != null ? j.getLocation() : parser == null ? null : parser.currentLocation();
        String what = SOURCE.matcher(String.valueOf(j.getOriginalMessage())).replaceAll("line $1, column $2");
        return what + (l == null ? "" : " (at line " + l.getLineNr() + ", column " + l.getColumnNr() + ")");
    }

    /** The error body every 4xx/5xx uses. */
    static void sendError(HttpServerResponse resp, int status, String code, String message, String field) {
        send(resp, status, error(status, code, message, field));
    }

    /** {@link #sendError(HttpServerResponse, int, String, String, String)} with no body to a HEAD request. */
    static void sendError(HttpServerRequest req, int status, String code, String message, String field) {
        send(req, status, error(status, code, message, field, null));
    }

    /**
     * {@link #sendError(HttpServerRequest, int, String, String, String)} with more fields in the
     * error object after the documented four (a 409's {@code routes}, say), for a client to act on.
     */
    static void sendError(HttpServerRequest req, int status, String code, String message, String field, Body more) {
        send(req, status, error(status, code, message, field, more));
    }

    private static Body error(int status, String code, String message, String field) {
        return error(status, code, message, field, null);
    }

    private static Body error(int status, String code, String message, String field, Body more) {
        return g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeNumberField("status", status);
            g.writeStringField("code", code);
            g.writeStringField("message", message);
            if (field != null) {
                g.writeStringField("field", field);
            } else {
                g.writeNullField("field");
            }
            if (more != null) {
                more.write(g);
            }
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** A 400 listing every configuration problem with file and line. */
    static void sendProblems(HttpServerResponse resp, String code, List<Problem> problems) {
        sendProblems(resp, 400, code, problems);
    }

    /** {@link #sendProblems(HttpServerResponse, String, List)} with another status (a 409 the configuration caused). */
    static void sendProblems(HttpServerResponse resp, int status, String code, List<Problem> problems) {
        send(resp, status, g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeNumberField("status", status);
            g.writeStringField("code", code);
            g.writeStringField("message", problems.size() + " problem(s): " + problems.get(0)
                    + (problems.size() > 1 ? " …" : ""));
            g.writeNullField("field");
            writeProblems(g, problems);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static void writeProblems(JsonGenerator g, List<Problem> problems) throws IOException {
        g.writeArrayFieldStart("problems");
        for (Problem p : problems) {
            g.writeStartObject();
            g.writeStringField("file", p.file());
            g.writeNumberField("line", p.line());
            g.writeStringField("message", p.message());
            g.writeStringField("text", p.toString());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * A score as JSON, written as the float it is (the shortest digits that read back as that
     * float, not the 17 digits of its widening to double): NaN and infinities (which JSON cannot
     * carry) become null.
     */
    static void writeScore(JsonGenerator g, SerializableString name, float v) throws IOException {
        g.writeFieldName(name);
        if (Float.isFinite(v)) {
            g.writeNumber(v);
        } else {
            g.writeNull();
        }
    }

    /** Any value parsed from JSON or YAML (maps, lists, strings, numbers, booleans, null). */
    static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Integer || v instanceof Long) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                g.writeNumber(d);
            } else {
                g.writeNull();
            }
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof java.util.Map<?, ?> m) {
            g.writeStartObject();
            for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Iterable<?> it) {
            g.writeStartArray();
            for (Object o : it) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else {
            g.writeString(String.valueOf(v));
        }
    }
}
