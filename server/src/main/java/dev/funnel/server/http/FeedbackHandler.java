package dev.funnel.server.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.funnel.exposure.ExposureStore;
import dev.funnel.features.feedback.FeedbackEvent;
import dev.funnel.features.feedback.FeedbackException;
import dev.funnel.features.feedback.FeedbackParser;
import dev.funnel.features.feedback.FeedbackSink;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/feedback}: a batch of {@code expose | click | like | dislike | convert} events,
 * validated all or nothing ({@link FeedbackParser}: 400 listing every problem with its JSON path),
 * then handed to the {@link FeedbackSink} (the learning loop), and {@code expose} events recorded
 * as long-term exposure in the {@link ExposureStore}. Answers 202 {@code {"accepted", "dropped"}}
 * without waiting for the store. One per verticle; runs on its event loop and never blocks.
 */
final class FeedbackHandler {

    private static final com.fasterxml.jackson.core.JsonFactory FACTORY = com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(40).build())
            .build();

    private final FeedbackParser parser = new FeedbackParser(FeedbackParser.DEFAULT_MAX_BATCH);
    private final FeedbackSink sink;
    private final ExposureStore exposure;
    private final Counter accepted;
    private final Counter dropped;
    private final Counter rejected;

    FeedbackHandler(ServerDeps deps) {
        this.sink = deps.env().require(FeedbackSink.class);
        this.exposure = deps.env().find(ExposureStore.class).orElse(null);
        this.accepted = events("accepted", deps);
        this.dropped = events("dropped", deps);
        this.rejected = Counter.builder("funnel.feedback.batches.rejected")
                .description("POST /v1/feedback bodies answered 400 (none of their events taken)").register(deps.prometheus());
    }

    private static Counter events(String outcome, ServerDeps deps) {
        return Counter.builder("funnel.feedback.events")
                .description("events of accepted POST /v1/feedback bodies, by outcome: accepted (handed to the feedback"
                        + " sink), dropped (the sink was full)")
                .tag("outcome", outcome).register(deps.prometheus());
    }

    /** Mounts the endpoint on a verticle's router. */
    void mount(Router router, int maxBodyBytes) {
        router.post("/v1/feedback").handler(new RawBodyHandler(maxBodyBytes)).handler(this::handle);
    }

    void handle(RoutingContext rc) {
        List<FeedbackEvent> events;
        try {
            events = parser.parse(decode(rc.body().buffer()), System.currentTimeMillis());
        } catch (FeedbackException e) {
            rejected.increment();
            Json.send(rc.request(), 400, g -> {
                g.writeStartObject();
                g.writeObjectFieldStart("error");
                g.writeNumberField("status", 400);
                g.writeStringField("code", "invalid_feedback");
                g.writeStringField("message", e.problems().size() + " problem(s): " + e.problems().get(0)
                        + (e.problems().size() > 1 ? " …" : ""));
                g.writeNullField("field");
                g.writeArrayFieldStart("problems");
                for (String p : e.problems()) {
                    g.writeString(p);
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeEndObject();
            });
            return;
        } catch (ApiError e) {
            rejected.increment();
            Json.sendError(rc.request(), e.status, e.code, e.getMessage(), e.field);
            return;
        }
        int ok = 0;
        Map<String, List<Long>> exposed = new HashMap<>();
        for (FeedbackEvent e : events) {
            if (sink.offer(e)) {
                ok++;
            }
            if (e.type() == FeedbackEvent.Type.EXPOSE) {
                exposed.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e.itemId());
            }
        }
        if (exposure != null) {
            for (Map.Entry<String, List<Long>> u : exposed.entrySet()) {
                long[] ids = u.getValue().stream().mapToLong(Long::longValue).toArray();
                exposure.recordExposed(u.getKey(), ids, ids.length); // failures are counted by the store
            }
        }
        int accepted = ok;
        int lost = events.size() - ok;
        this.accepted.increment(accepted);
        this.dropped.increment(lost);
        Json.send(rc.request(), 202, g -> {
            g.writeStartObject();
            g.writeNumberField("accepted", accepted);
            g.writeNumberField("dropped", lost);
            g.writeEndObject();
        });
    }

    /** The body as plain Maps, Lists, Strings, Numbers, Booleans and nulls. */
    private static Object decode(Buffer body) throws ApiError {
        if (body == null || body.length() == 0) {
            throw new ApiError(400, "empty_body", "request body is empty; expected a JSON array of events or {\"events\": [...]}", null);
        }
        try (JsonParser p = FACTORY.createParser(body.getBytes())) {
            try {
                Object v = value(p, p.nextToken());
                if (p.nextToken() != null) {
                    throw new ApiError(400, "bad_json", "malformed JSON: trailing content at " + location(p), null);
                }
                return v;
            } catch (IOException e) { // in memory: Jackson's parse and limit errors (nesting, number length)
                throw new ApiError(400, "bad_json", "malformed JSON: " + Json.parseProblem(e, p), null);
            }
        } catch (IOException e) { // closing a parser over a byte array: does not happen
            throw new ApiError(400, "bad_json", "malformed JSON: " + Json.parseProblem(e, null), null);
        }
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            throw new JsonParseException(p, "empty document");
        }
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    m.put(k, value(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                JsonToken n;
                while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
                    l.add(value(p, n));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new JsonParseException(p, "unexpected token " + t);
        }
    }

    private static String location(JsonParser p) {
        return p.currentLocation().getLineNr() + ":" + p.currentLocation().getColumnNr();
    }
}
