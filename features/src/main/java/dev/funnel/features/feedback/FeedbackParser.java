package dev.funnel.features.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a decoded JSON feedback batch into events, all or nothing: a batch with any bad event is
 * rejected whole, with every problem listed by its JSON path ({@code events[3].item_id: must be a
 * positive integer, got "abc"}). Accepts {@code {"events":[…]}} or a bare array; each event is
 * {@code {"request_id"?, "user_id", "item_id", "event", "ts"?}}; {@code ts} is epoch milliseconds and
 * at most {@link #MAX_FUTURE_MILLIS} after the server clock (an event from the future would move the
 * trainer's event time past every real one). Decoded JSON means {@link Map},
 * {@link List}, {@link String}, {@link Number}, {@link Boolean} and null, as JSON libraries produce.
 * Stateless; any thread.
 */
public final class FeedbackParser {

    /** Default largest batch accepted. */
    public static final int DEFAULT_MAX_BATCH = 1000;
    /** How many problems one rejection lists at most. */
    public static final int MAX_PROBLEMS = 20;
    /** Longest accepted user or request id. */
    public static final int MAX_ID_LENGTH = 256;
    /** How far after the server clock an event's {@code ts} may be (client clocks drift): one day. */
    public static final long MAX_FUTURE_MILLIS = 86_400_000L;

    private final int maxBatch;

    public FeedbackParser(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.maxBatch = maxBatch;
    }

    /**
     * Validates and converts a batch.
     *
     * @param json       the decoded request body
     * @param nowMillis  the server clock: the timestamp given to events without {@code ts}, and what
     *                   a given {@code ts} may exceed by at most {@link #MAX_FUTURE_MILLIS}
     * @throws FeedbackException listing every problem found (at most {@link #MAX_PROBLEMS})
     */
    public List<FeedbackEvent> parse(Object json, long nowMillis) {
        List<String> problems = new ArrayList<>();
        List<?> items;
        String prefix;
        if (json instanceof List<?> l) {
            items = l;
            prefix = "";
        } else if (json instanceof Map<?, ?> m && m.get("events") instanceof List<?> l) {
            items = l;
            prefix = "events";
        } else {
            throw new FeedbackException(List.of("body must be a JSON array of events or an object with an \"events\" array"));
        }
        if (items.isEmpty()) {
            throw new FeedbackException(List.of(prefix + ": batch is empty"));
        }
        if (items.size() > maxBatch) {
            throw new FeedbackException(List.of(prefix + ": batch of " + items.size() + " events, at most " + maxBatch + " allowed"));
        }
        List<FeedbackEvent> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size() && problems.size() < MAX_PROBLEMS; i++) {
            String at = prefix + "[" + i + "]";
            if (!(items.get(i) instanceof Map<?, ?> e)) {
                problems.add(at + ": must be an object, got " + show(items.get(i)));
                continue;
            }
            int before = problems.size();
            for (Object key : e.keySet()) {
                if (!"request_id".equals(key) && !"user_id".equals(key) && !"item_id".equals(key)
                        && !"event".equals(key) && !"ts".equals(key)) {
                    problems.add(at + "." + key + ": unknown field (expected request_id, user_id, item_id, event, ts)");
                }
            }
            String requestId = optionalId(e.get("request_id"), at + ".request_id", problems);
            String userId = requiredId(e.get("user_id"), at + ".user_id", problems);
            long itemId = positiveLong(e.get("item_id"), at + ".item_id", problems, true);
            FeedbackEvent.Type type = null;
            Object ev = e.get("event");
            if (ev == null) {
                problems.add(at + ".event: required (one of expose, click, like, dislike, convert)");
            } else if (!(ev instanceof String s) || (type = FeedbackEvent.Type.ofJsonName(s)) == null) {
                problems.add(at + ".event: must be one of expose, click, like, dislike, convert, got " + show(ev));
            }
            long ts = e.get("ts") == null ? nowMillis : positiveLong(e.get("ts"), at + ".ts", problems, false);
            if (ts > nowMillis + MAX_FUTURE_MILLIS) {
                problems.add(at + ".ts: must be epoch milliseconds at most 1 day after the server clock (" + nowMillis
                        + "), got " + show(e.get("ts")));
            }
            if (problems.size() == before) {
                out.add(new FeedbackEvent(requestId, userId, itemId, type, ts));
            }
        }
        if (!problems.isEmpty()) {
            throw new FeedbackException(problems);
        }
        return out;
    }

    private static String requiredId(Object v, String at, List<String> problems) {
        if (v == null) {
            problems.add(at + ": required");
            return null;
        }
        return optionalId(v, at, problems);
    }

    private static String optionalId(Object v, String at, List<String> problems) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s) || s.isBlank() || s.length() > MAX_ID_LENGTH) {
            problems.add(at + ": must be a non-empty string of at most " + MAX_ID_LENGTH + " characters, got " + show(v));
            return null;
        }
        return s;
    }

    private static long positiveLong(Object v, String at, List<String> problems, boolean required) {
        if (v == null) {
            if (required) {
                problems.add(at + ": required");
            }
            return 0;
        }
        long value;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            value = ((Number) v).longValue();
        } else if (v instanceof java.math.BigInteger || !(v instanceof Number)) {
            problems.add(at + ": must be a positive integer, got " + show(v));
            return 0;
        } else {
            double d = ((Number) v).doubleValue();
            if (d != Math.rint(d) || Math.abs(d) > 9.0e15) {
                problems.add(at + ": must be a positive integer, got " + show(v));
                return 0;
            }
            value = (long) d;
        }
        if (value <= 0) {
            problems.add(at + ": must be a positive integer, got " + show(v));
            return 0;
        }
        return value;
    }

    private static String show(Object v) {
        if (v == null) {
            return "null";
        }
        String s = v instanceof String ? "\"" + v + "\"" : v instanceof Map ? "an object" : v instanceof List ? "an array" : v.toString();
        return s.length() > 80 ? s.substring(0, 77) + "…" : s;
    }
}
