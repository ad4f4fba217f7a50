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

    /**
     * Feedback without a request id (the sink writes an empty one) can never join. It once waited in one
     * list deduplicated by a linear scan, quadratic in such events: now it is counted as an orphan at once
     * and never kept, and the labels of a mixed workload are exactly those of the same workload without it.
     */
    @Test
    void feedbackWithoutARequestIdChangesNoLabelAndIsNeverKept() {
        List<Sample> withIds = new ArrayList<>();
        LabelJoiner reference = new LabelJoiner(new JoinConfig(1_000, 10_000), List.of("click", "like"), withIds::add);
        runMixedWorkload(reference, 0);
        List<Sample> mixedOut = new ArrayList<>();
        LabelJoiner mixed = new LabelJoiner(new JoinConfig(1_000, 10_000), List.of("click", "like"), mixedOut::add);
        int maxKept = runMixedWorkload(mixed, 50);

        List<String> expected = new ArrayList<>();
        for (int q = 0; q < 200; q++) {
            for (int idx = 0; idx < 3; idx++) {
                int positive = 0;
                if (q % 3 == 0 && idx == 0) {
                    expected.add(label("q" + q, item(q, idx), 0b01, 0b01));
                    positive |= 0b01;
                }
                if (q % 5 == 0 && idx == 1) {
                    expected.add(label("q" + q, item(q, idx), 0b10, 0b10));
                    positive |= 0b10;
                }
                expected.add(label("q" + q, item(q, idx), 0, 0b11 & ~positive));
            }
        }
        expected.sort(null);
        assertEquals(expected, labels(withIds), "the workload's labels, worked out by hand");
        assertEquals(expected, labels(mixedOut), "events without a request id change no label");
        assertEquals(0, maxKept, "feedback without a request id is never kept");
        assertEquals(200 * 50, mixed.stats().orphanFeedback() - reference.stats().orphanFeedback());
        assertEquals(reference.stats().duplicateFeedback(), mixed.stats().duplicateFeedback());
        assertEquals(reference.stats().positives(), mixed.stats().positives());
        assertEquals(reference.stats().negatives(), mixed.stats().negatives());
    }

    /**
     * 200 requests of 3 items: a click on the first item of every third (and a repeat of it every 7th), a
     * like on the second of every fifth sent before its impression, and {@code withoutIdPerRequest} events
     * without a request id after each. Returns the most feedback events the joiner kept waiting at once.
     */
    private static int runMixedWorkload(LabelJoiner j, int withoutIdPerRequest) {
        int maxKept = 0;
        for (int q = 0; q < 200; q++) {
            long ts = 1_000 + q * 100L;
            if (q % 5 == 0) {
                j.onFeedback(fb("q" + q, item(q, 1), Feedback.Event.LIKE, ts + 20)); // before its impression
            }
            j.onImpression(imp("q" + q, ts, item(q, 0), item(q, 1), item(q, 2)));
            if (q % 3 == 0) {
                j.onFeedback(fb("q" + q, item(q, 0), Feedback.Event.CLICK, ts + 50));
                if (q % 7 == 0) {
                    j.onFeedback(fb("q" + q, item(q, 0), Feedback.Event.CLICK, ts + 60));
                }
            }
            for (int k = 0; k < withoutIdPerRequest; k++) {
                j.onFeedback(fb("", 1 + k % 20, k % 2 == 0 ? Feedback.Event.CLICK : Feedback.Event.LIKE, ts + k));
                maxKept = Math.max(maxKept, j.earlyFeedbackEvents());
            }
            j.advanceTo(ts);
        }
        j.advanceTo(1_000_000);
        return maxKept;
    }

    private static long item(int q, int idx) {
        return 1 + (q * 3L + idx) % 50;
    }

    private static String label(String req, long item, int positiveMask, int mask) {
        return req + "/" + item + " positive=" + Integer.toBinaryString(positiveMask) + " mask=" + Integer.toBinaryString(mask);
    }

    private static List<String> labels(List<Sample> samples) {
        List<String> out = new ArrayList<>();
        for (Sample s : samples) {
            int positive = 0;
            for (int h = 0; h < s.labels().length; h++) {
                if (s.labels()[h] == 1f) {
                    positive |= 1 << h;
                }
            }
            out.add(label(s.requestId(), s.itemId(), positive, s.headMask()));
        }
        out.sort(null);
        return out;
    }

    /**
     * Feedback for requests whose impression never comes (not logged, say) waits at most
     * {@link JoinConfig#maxEarlyFeedback()} events; the oldest requests' are dropped as orphans, the newest
     * still join. Duplicates among many waiting events of one request are found by key.
     */
    @Test
    void feedbackWaitingForItsImpressionIsBoundedAndDeduplicatedByKey() {
        LabelJoiner j = new LabelJoiner(new JoinConfig(1_000, 10_000, 1_000), List.of("click", "like"), out::add);
        int maxKept = 0;
        for (int i = 0; i < 60_000; i++) {
            j.onFeedback(fb("lost-" + i, 7, Feedback.Event.CLICK, 100));
            maxKept = Math.max(maxKept, j.earlyFeedbackEvents());
        }
        assertEquals(1_000, maxKept);
        assertEquals(59_000, j.stats().orphanFeedback(), "the oldest requests' were dropped as orphans");
        j.onImpression(imp("lost-59999", 90, 7));
        assertEquals(1, out.size(), "the newest waiting feedback still joins");
        assertEquals(999, j.earlyFeedbackEvents());

        for (int item = 0; item < 900; item++) {
            j.onFeedback(fb("busy", item, Feedback.Event.LIKE, 100));
        }
        for (int item = 0; item < 900; item++) {
            j.onFeedback(fb("busy", item, Feedback.Event.LIKE, 101));
        }
        assertEquals(900, j.stats().duplicateFeedback());
        assertEquals(1_000, j.earlyFeedbackEvents());
        j.advanceTo(20_000);
        assertEquals(0, j.earlyFeedbackEvents(), "expired with their window");
        assertEquals(59_000 + 999 + 900, j.stats().orphanFeedback());
    }

    /**
     * A checkpoint written before this change may hold every event without a request id in one waiting
     * list: it still restores, those count as orphans, and the others wait (and dedupe) as before.
     */
    @Test
    void restoresACheckpointWhoseWaitingFeedbackHoldsEmptyRequestIds() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(bytes);
        o.writeLong(150); // watermark
        o.writeInt(0); // pending
        o.writeInt(2); // orphan lists
        o.writeInt(3);
        for (int k = 0; k < 3; k++) {
            byte[] enc = fb("", 1 + k, Feedback.Event.CLICK, 100 + k).encode();
            o.writeInt(enc.length);
            o.write(enc);
        }
        o.writeInt(1);
        byte[] enc = fb("r9", 5, Feedback.Event.LIKE, 120).encode();
        o.writeInt(enc.length);
        o.write(enc);
        o.writeInt(0); // closed
        JoinStats before = new JoinStats();
        before.feedback = 4;
        before.write(o);

        LabelJoiner restored = new LabelJoiner(new JoinConfig(1_000, 10_000), List.of("click", "like"), out::add);
        restored.readStateInline(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(3, restored.stats().orphanFeedback(), "the empty request ids are orphans");
        assertEquals(4, restored.stats().feedback());
        assertEquals(1, restored.earlyFeedbackEvents());
        restored.onFeedback(fb("r9", 5, Feedback.Event.LIKE, 121));
        assertEquals(1, restored.stats().duplicateFeedback());
        restored.onImpression(imp("r9", 110, 5, 6));
        assertEquals(1, out.size());
        assertTrue(out.get(0).trains(1) && out.get(0).labels()[1] == 1f);

        byte[] again = checkpoint(restored, new ImpressionSpill(dir, "s"));
        LabelJoiner twice = new LabelJoiner(new JoinConfig(1_000, 10_000), List.of("click", "like"), s -> { });
        twice.readState(new DataInputStream(new ByteArrayInputStream(again)), new ImpressionSpill(dir, "s"));
        assertEquals(3, twice.stats().orphanFeedback(), "counted once, not again on the next restore");
        assertEquals(0, twice.earlyFeedbackEvents());
    }
}
