package dev.funnel.features.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeedbackParserTest {

    final FeedbackParser parser = new FeedbackParser(3);

    static Map<String, Object> ev(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void parsesAWellFormedBatch() {
        List<FeedbackEvent> out = parser.parse(Map.of("events", List.of(
                ev("request_id", "r1", "user_id", "u1", "item_id", 42, "event", "expose", "ts", 1_700_000_000_000L),
                ev("user_id", "u2", "item_id", 7L, "event", "click"))), 1_700_000_000_099L);
        assertEquals(2, out.size());
        assertEquals(new FeedbackEvent("r1", "u1", 42, FeedbackEvent.Type.EXPOSE, 1_700_000_000_000L), out.get(0));
        assertNull(out.get(1).requestId());
        assertEquals(1_700_000_000_099L, out.get(1).timestampMillis(), "server time when ts is absent");
        assertEquals(FeedbackEvent.Type.CLICK, out.get(1).type());
    }

    /** Microseconds (or any far-future ts) would stop the trainer's learning: rejected, naming the event and field. */
    @Test
    void rejectsATimestampMoreThanADayAheadOfTheServerClock() {
        long now = 1_795_805_171_548L;
        FeedbackException e = assertThrows(FeedbackException.class, () -> parser.parse(Map.of("events", List.of(
                ev("user_id", "u", "item_id", 1, "event", "click", "ts", now),
                ev("user_id", "u", "item_id", 2, "event", "click", "ts", 1_795_805_171_548_340L))), now));
        assertEquals(List.of("events[1].ts: must be epoch milliseconds at most 1 day after the server clock (" + now
                + "), got 1795805171548340"), e.problems());
        assertThrows(FeedbackException.class, () -> parser.parse(List.of(
                ev("user_id", "u", "item_id", 1, "event", "click", "ts", now + FeedbackParser.MAX_FUTURE_MILLIS + 1)), now));
        List<FeedbackEvent> ok = parser.parse(List.of(
                ev("user_id", "u", "item_id", 1, "event", "click", "ts", now + FeedbackParser.MAX_FUTURE_MILLIS)), now);
        assertEquals(now + FeedbackParser.MAX_FUTURE_MILLIS, ok.get(0).timestampMillis(), "a skewed client clock within a day passes");
    }

    @Test
    void acceptsABareArrayAndIntegralDoubles() {
        List<FeedbackEvent> out = parser.parse(List.of(ev("user_id", "u", "item_id", 5.0, "event", "convert")), 1);
        assertEquals(5, out.get(0).itemId());
    }

    @Test
    void rejectsTheWholeBatchListingEveryProblemWithItsPath() {
        FeedbackException e = assertThrows(FeedbackException.class, () -> parser.parse(Map.of("events", List.of(
                ev("user_id", "u1", "item_id", 1, "event", "click"),
                ev("user_id", "", "item_id", "abc", "event", "clik"),
                ev("item_id", -3, "event", "like", "ts", 1.5, "extra", true))), 0));
        List<String> p = e.problems();
        assertTrue(p.contains("events[1].user_id: must be a non-empty string of at most 256 characters, got \"\""), p.toString());
        assertTrue(p.contains("events[1].item_id: must be a positive integer, got \"abc\""), p.toString());
        assertTrue(p.contains("events[1].event: must be one of expose, click, like, dislike, convert, got \"clik\""), p.toString());
        assertTrue(p.contains("events[2].user_id: required"), p.toString());
        assertTrue(p.contains("events[2].item_id: must be a positive integer, got -3"), p.toString());
        assertTrue(p.contains("events[2].ts: must be a positive integer, got 1.5"), p.toString());
        assertTrue(p.contains("events[2].extra: unknown field (expected request_id, user_id, item_id, event, ts)"), p.toString());
        assertEquals(7, p.size(), p.toString());
    }

    @Test
    void rejectsWrongShapesEmptyAndOversizedBatches() {
        assertThrows(FeedbackException.class, () -> parser.parse("nope", 0));
        assertThrows(FeedbackException.class, () -> parser.parse(Map.of("events", "x"), 0));
        FeedbackException empty = assertThrows(FeedbackException.class, () -> parser.parse(List.of(), 0));
        assertTrue(empty.getMessage().contains("empty"));
        List<Object> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.add(ev("user_id", "u", "item_id", i + 1, "event", "click"));
        }
        FeedbackException big = assertThrows(FeedbackException.class, () -> parser.parse(four, 0));
        assertTrue(big.getMessage().contains("at most 3"), big.getMessage());
        FeedbackException notObject = assertThrows(FeedbackException.class, () -> parser.parse(List.of(3), 0));
        assertEquals(List.of("[0]: must be an object, got 3"), notObject.problems());
    }

    @Test
    void bufferedSinkKeepsOrderAndDropsPastCapacity() {
        BufferedFeedbackSink sink = new BufferedFeedbackSink(2);
        FeedbackEvent a = new FeedbackEvent(null, "u", 1, FeedbackEvent.Type.CLICK, 1);
        FeedbackEvent b = new FeedbackEvent(null, "u", 2, FeedbackEvent.Type.CLICK, 2);
        assertTrue(sink.offer(a));
        assertTrue(sink.offer(b));
        assertFalse(sink.offer(a));
        assertEquals(1, sink.dropped());
        assertEquals(List.of(a, b), sink.drain(10));
        assertEquals(0, sink.size());
        assertTrue(sink.offer(a), "room again after draining");
    }
}
