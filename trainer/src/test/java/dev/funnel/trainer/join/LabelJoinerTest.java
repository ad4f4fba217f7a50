package dev.funnel.trainer.join;

import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import dev.funnel.trainer.learn.Sample;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelJoinerTest {

    private final List<Sample> out = new ArrayList<>();
    private final LabelJoiner joiner = new LabelJoiner(new JoinConfig(1_000, 10_000), List.of("click", "like"), out::add);

    private static ImpressionLog imp(String req, long ts, long... items) {
        List<ImpressionLog.Served> served = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            served.add(new ImpressionLog.Served(items[i], i, 0.5f, new long[]{items[i]}, new long[]{items[i]}, new float[]{1}, null));
        }
        return new ImpressionLog(req, "u1", "home", "ctr", 1, "s", ts, null, served);
    }

    private static Feedback fb(String req, long item, Feedback.Event e, long ts) {
        return new Feedback(req, "u1", item, e, ts);
    }

    @Test
    void positiveAtOnceNegativesAfterDelay() {
        joiner.onImpression(imp("r1", 100, 1, 2, 3));
        joiner.onFeedback(fb("r1", 2, Feedback.Event.CLICK, 300));
        assertEquals(1, out.size(), "positive emitted at once, before any watermark");
        assertEquals(2, out.get(0).itemId());
        assertTrue(out.get(0).trains(0) && !out.get(0).trains(1));
        assertEquals(1f, out.get(0).labels()[0]);

        joiner.advanceTo(1_099);
        assertEquals(1, out.size(), "negatives wait for the delay");
        joiner.advanceTo(1_100);
        assertEquals(4, out.size(), "items 1 and 3 both heads, item 2 only like");
        Sample item2 = out.stream().filter(s -> s.itemId() == 2 && !s.positive()).findFirst().orElseThrow();
        assertTrue(!item2.trains(0) && item2.trains(1), "clicked item is a like-negative only");
        assertEquals(1, joiner.stats().positives());
        assertEquals(3, joiner.stats().negatives());
    }

    @Test
    void dropsDuplicatesAndLateFeedbackAndCountsCorrections() {
        joiner.onImpression(imp("r1", 0, 1, 2));
        joiner.onImpression(imp("r1", 0, 1, 2));
        joiner.onFeedback(fb("r1", 1, Feedback.Event.CLICK, 10));
        joiner.onFeedback(fb("r1", 1, Feedback.Event.CLICK, 11));
        assertEquals(1, joiner.stats().duplicateImpressions());
        assertEquals(1, joiner.stats().duplicateFeedback());
        assertEquals(1, out.size());
        joiner.advanceTo(2_000);
        joiner.onFeedback(fb("r1", 2, Feedback.Event.CLICK, 5_000));
        assertEquals(1, joiner.stats().corrections(), "a positive after the negative is still emitted");
        joiner.advanceTo(20_000);
        joiner.onFeedback(fb("r1", 2, Feedback.Event.LIKE, 19_000));
        assertEquals(1, joiner.stats().lateFeedback());
        joiner.onImpression(imp("r1", 0, 1, 2));
        assertEquals(2, joiner.stats().duplicateImpressions(), "a replayed impression after its window is still recognised");
        assertEquals(0, joiner.pendingRequests());
    }

    @Test
    void feedbackBeforeItsImpressionWaits() {
        joiner.onFeedback(fb("r9", 5, Feedback.Event.LIKE, 50));
        assertEquals(0, out.size());
        joiner.onImpression(imp("r9", 10, 5, 6));
        assertEquals(1, out.size());
        assertTrue(out.get(0).trains(1) && out.get(0).labels()[1] == 1f);
    }

    @Test
    void stateSurvivesCheckpoint() throws Exception {
        joiner.onImpression(imp("r1", 0, 1, 2));
        joiner.onFeedback(fb("r1", 1, Feedback.Event.CLICK, 10));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        joiner.writeState(new DataOutputStream(bytes));
        List<Sample> out2 = new ArrayList<>();
        LabelJoiner restored = new LabelJoiner(new JoinConfig(1_000, 10_000), List.of("click", "like"), out2::add);
        restored.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        restored.onFeedback(fb("r1", 1, Feedback.Event.CLICK, 12));
        assertEquals(1, restored.stats().duplicateFeedback());
        restored.advanceTo(5_000);
        assertEquals(2, out2.size(), "item 1 like-negative, item 2 both-negative");
        assertEquals(1, restored.stats().positives());
    }
}
