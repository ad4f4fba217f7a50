package dev.funnel.trainer.join;

import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import dev.funnel.trainer.learn.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelJoinerTest {

    @TempDir
    Path dir;

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
        byte[] state = checkpoint(joiner, new ImpressionSpill(dir, "s"));
        List<Sample> out2 = new ArrayList<>();
        LabelJoiner restored = new LabelJoiner(new JoinConfig(1_000, 10_000), List.of("click", "like"), out2::add);
        restored.readState(new DataInputStream(new ByteArrayInputStream(state)), new ImpressionSpill(dir, "s"));
        restored.onFeedback(fb("r1", 1, Feedback.Event.CLICK, 12));
        assertEquals(1, restored.stats().duplicateFeedback());
        restored.advanceTo(5_000);
        assertEquals(2, out2.size(), "item 1 like-negative, item 2 both-negative");
        assertEquals(1, restored.stats().positives());
    }

    /** Writes the joiner's state and commits it, as the trainer does once the checkpoint file is in place. */
    private static byte[] checkpoint(LabelJoiner j, ImpressionSpill spill) throws IOException {
        byte[] state = writeUncommitted(j, spill);
        spill.committed();
        return state;
    }

    private static byte[] writeUncommitted(LabelJoiner j, ImpressionSpill spill) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        j.writeState(new DataOutputStream(bytes), spill);
        return bytes.toByteArray();
    }

    private static ImpressionLog big(String req, long ts) {
        List<ImpressionLog.Served> served = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            served.add(new ImpressionLog.Served(i + 1, i, 0.5f, new long[20], new long[40], new float[8], new float[64]));
        }
        return new ImpressionLog(req, "u1", "home", "ctr", 1, "s", ts, new float[64], served);
    }

    @Test
    void checkpointSpillsEachImpressionOnceAndCompactsClosedOnes() throws Exception {
        ImpressionSpill spill = new ImpressionSpill(dir, "s", 100_000);
        long given = 0;
        for (int i = 0; i < 50; i++) {
            ImpressionLog log = big("a" + i, i);
            byte[] bytes = log.encode();
            given += bytes.length;
            joiner.onImpression(log, bytes);
        }
        byte[] first = checkpoint(joiner, spill);
        long spilled = spill.fileBytes();
        assertEquals(given, spilled, "the bytes as given, once each");
        assertTrue(first.length < 50 * 200, "the state itself holds ranges and flags only, got " + first.length + " bytes");
        checkpoint(joiner, spill);
        assertEquals(spilled, spill.fileBytes(), "nothing new: nothing appended");

        joiner.advanceTo(20_000); // all 50 windows close: their bytes are dead
        for (int i = 0; i < 5; i++) {
            joiner.onImpression(big("b" + i, 19_000 + i));
        }
        byte[] state = checkpoint(joiner, spill);
        assertEquals(1, spill.compactions());
        assertEquals(5L * big("b0", 0).encodedSize(), spill.fileBytes(), "only the live impressions are left");
        try (var files = Files.list(dir)) {
            assertEquals(List.of("s.1"), files.map(f -> f.getFileName().toString()).toList(), "old generation deleted");
        }

        List<Sample> out2 = new ArrayList<>();
        LabelJoiner restored = new LabelJoiner(new JoinConfig(1_000, 10_000), List.of("click", "like"), out2::add);
        restored.readState(new DataInputStream(new ByteArrayInputStream(state)), new ImpressionSpill(dir, "s", 100_000));
        assertEquals(5, restored.pendingRequests());
        restored.onFeedback(fb("b3", 4, Feedback.Event.CLICK, 19_010));
        assertEquals(1, out2.size());
        assertEquals(64, out2.get(0).itemEmbedding().length, "features read back from the spill");
    }

    @Test
    void restoreIgnoresWhatADeadTrainerWroteAfterItsLastCommit() throws Exception {
        ImpressionSpill spill = new ImpressionSpill(dir, "s", 1_000);
        for (int i = 0; i < 20; i++) {
            joiner.onImpression(big("a" + i, i));
        }
        byte[] committed = checkpoint(joiner, spill);
        long committedBytes = spill.fileBytes();
        // Then the windows close, more traffic arrives, and a checkpoint compacts and appends, but the
        // trainer dies before that checkpoint file is moved into place.
        joiner.advanceTo(20_000);
        for (int i = 0; i < 3; i++) {
            joiner.onImpression(big("b" + i, 19_000 + i));
        }
        writeUncommitted(joiner, spill);
        assertEquals(1, spill.compactions());
        spill.close();

        List<Sample> out2 = new ArrayList<>();
        LabelJoiner restored = new LabelJoiner(new JoinConfig(1_000, 10_000), List.of("click", "like"), out2::add);
        ImpressionSpill reopened = new ImpressionSpill(dir, "s", 1_000);
        restored.readState(new DataInputStream(new ByteArrayInputStream(committed)), reopened);
        assertEquals(20, restored.pendingRequests(), "the committed state, from the old generation");
        try (var files = Files.list(dir)) {
            assertEquals(List.of("s.0"), files.map(f -> f.getFileName().toString()).toList(), "uncommitted generation removed");
        }
        assertEquals(committedBytes, reopened.fileBytes());
        restored.onImpression(big("c0", 30));
        checkpoint(restored, reopened);
        assertEquals(committedBytes + big("c0", 30).encodedSize(), reopened.fileBytes(), "appends after the committed end");
        restored.advanceTo(2_000);
        assertEquals(21 * 10, out2.size(), "every restored item still emits its negative");
    }

    /** A trainer checkpoint of format 1 held pending impressions inline; it is still read, and spilled at the next write. */
    @Test
    void readsFormatOneStateAndSpillsItNextTime() throws Exception {
        ImpressionLog log = big("r1", 100);
        byte[] enc = log.encode();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(bytes);
        o.writeLong(150); // watermark
        o.writeInt(1); // pending
        o.writeInt(enc.length);
        o.write(enc);
        for (int i = 0; i < 10; i++) {
            o.writeInt(i == 3 ? 1 : 0); // item 4 clicked
        }
        o.writeBoolean(false);
        o.writeInt(1);
        o.writeUTF("4:" + Feedback.Event.CLICK.ordinal());
        o.writeInt(0); // orphans
        o.writeInt(0); // closed
        new JoinStats().write(o);

        List<Sample> out2 = new ArrayList<>();
        LabelJoiner restored = new LabelJoiner(new JoinConfig(1_000, 10_000), List.of("click", "like"), out2::add);
        restored.readStateInline(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(150, restored.watermarkMillis());
        restored.onFeedback(fb("r1", 4, Feedback.Event.CLICK, 120));
        assertEquals(1, restored.stats().duplicateFeedback(), "seen events restored");
        ImpressionSpill spill = new ImpressionSpill(dir, "s");
        checkpoint(restored, spill);
        assertEquals(enc.length, spill.fileBytes(), "the inline bytes are spilled as they were");
        restored.advanceTo(1_100);
        assertEquals(10, out2.size(), "item 4 like-negative, the others both heads");
    }
}
