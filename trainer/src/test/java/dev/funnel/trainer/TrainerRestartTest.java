package dev.funnel.trainer;

import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.trainer.apply.DeltaApplier;
import dev.funnel.trainer.join.JoinConfig;
import dev.funnel.trainer.learn.CtrLearner;
import dev.funnel.trainer.learn.CtrShape;
import dev.funnel.trainer.learn.LearnerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a trainer mid-stream (drops it without close or final checkpoint, its transport still
 * open, as a dead process leaves its files) and starts another on the same directories: every served
 * item becomes exactly one sample, and the delta topic holds each version once, consecutively, all
 * applied by a serving applier with no rejection.
 */
class TrainerRestartTest {

    static final CtrShape SHAPE = new CtrShape(4, 2, 3, 3, 1, new int[]{6}, List.of("click"));

    @TempDir
    Path dir;

    static CtrLearner learner() {
        int[] widths = SHAPE.layerWidths();
        float[][] w = new float[widths.length - 1][];
        float[][] b = new float[widths.length - 1][];
        SplittableRandom r = new SplittableRandom(1);
        for (int l = 0; l < w.length; l++) {
            w[l] = new float[widths[l] * widths[l + 1]];
            for (int i = 0; i < w[l].length; i++) {
                w[l][i] = (float) (r.nextDouble() - 0.5);
            }
            b[l] = new float[widths[l + 1]];
        }
        return new CtrLearner(SHAPE, LearnerConfig.DEFAULT.withAdmitAfter(1), w, b);
    }

    static Trainer trainer(Transport t, Path ckpt, AtomicLong clock) {
        return trainer(t, ckpt, (LongSupplier) clock::get);
    }

    static Trainer trainer(Transport t, Path ckpt, LongSupplier clock) {
        TrainerConfig cfg = TrainerConfig.defaults("ctr", ckpt).withIntervals(1_000, 5_000).withJoin(new JoinConfig(500, 5_000))
                .withIdleAfter(2_000).withPollBatch(40);
        return new Trainer(cfg, t, learner(), (w, b) -> new byte[]{1, 2, 3}, clock);
    }

    @Test
    void killAndRestartLosesNoSampleAndRepeatsNoVersion() {
        Path topics = dir.resolve("topics");
        Path ckpt = dir.resolve("ckpt");
        int requests = 600;
        int perRequest = 5;
        long clicks = 0;
        Transport writerSide = new ChronicleTransport(topics);
        StreamAppender imp = writerSide.appender(Topics.IMPRESSIONS);
        StreamAppender fb = writerSide.appender(Topics.FEEDBACK);
        SplittableRandom r = new SplittableRandom(9);
        for (int q = 0; q < requests; q++) {
            long ts = q * 100L;
            List<ImpressionLog.Served> served = new ArrayList<>();
            for (int i = 0; i < perRequest; i++) {
                long item = 1 + r.nextInt(50);
                while (containsItem(served, item)) {
                    item = 1 + r.nextInt(50);
                }
                served.add(new ImpressionLog.Served(item, i, 0.1f, new long[]{q % 20, item}, new long[]{q % 20, item, 9},
                        new float[]{0.5f}, new float[]{1, 0, 0, 0}));
            }
            imp.append(new ImpressionLog("q" + q, "u" + (q % 20), "home", "ctr", 0, "s", ts, new float[]{0, 1, 0, 0}, served).encode());
            for (ImpressionLog.Served s : served) {
                if (r.nextDouble() < 0.2) {
                    fb.append(new Feedback("q" + q, "u" + (q % 20), s.itemId(), Feedback.Event.CLICK, ts + 50).encode());
                    clicks++;
                    if (r.nextDouble() < 0.1) {
                        fb.append(new Feedback("q" + q, "u" + (q % 20), s.itemId(), Feedback.Event.CLICK, ts + 60).encode());
                    }
                }
            }
        }

        AtomicLong clock = new AtomicLong();
        Transport first = new ChronicleTransport(topics);
        Trainer a = trainer(first, ckpt, clock);
        for (int turn = 0; turn < 7; turn++) {
            clock.addAndGet(1_000);
            a.runOnce();
        }
        clock.addAndGet(300);
        a.runOnce(); // read more after the last checkpoint: this progress dies with the trainer
        long versionAtKill = a.version();
        assertTrue(versionAtKill >= 5, "published before the kill: " + versionAtKill);
        // "kill -9": a is dropped, never closed, its transport left open; the OS would drop its checkpoint lock.
        a.releaseLock();

        Transport second = new ChronicleTransport(topics);
        Trainer b = trainer(second, ckpt, clock);
        assertEquals(versionAtKill, b.version(), "resumes numbering after the last published version");
        for (int turn = 0; turn < 200; turn++) {
            clock.addAndGet(1_000);
            b.runOnce();
        }
        b.publishDenseNow();

        assertEquals(requests, b.joinStats().impressions() - b.joinStats().duplicateImpressions());
        assertEquals((long) requests * perRequest, b.joinStats().servedItems());
        assertEquals(clicks, b.joinStats().positives(), "every click is one positive");
        assertEquals((long) requests * perRequest - clicks, b.joinStats().negatives(), "every other served item one negative");
        assertTrue(b.joinStats().duplicateFeedback() > 0);
        assertEquals(0, b.joinStats().duplicateImpressions(), "replay started after the checkpointed position");
        assertEquals(clicks + (long) requests * perRequest - clicks, b.learner().samplesSeen());

        List<Long> versions = new ArrayList<>();
        EmbeddingTable field = EmbeddingTable.builder(CtrShape.FIELD_TABLE, 3).build();
        EmbeddingTable wide = EmbeddingTable.builder(CtrShape.WIDE_TABLE, 1).build();
        List<Long> dense = new ArrayList<>();
        DeltaApplier applier = new DeltaApplier("ctr", Map.of("field", field, "wide", wide), d -> dense.add(d.version()), clock::get);
        try (Transport reader = new ChronicleTransport(topics); StreamTailer t = reader.tailer(Topics.MODEL_DELTAS, "replica")) {
            while (t.poll((pos, buf) -> {
                versions.add(ModelDelta.decode(buf.duplicate()).version());
                assertEquals(DeltaApplier.Outcome.APPLIED, applier.apply(buf));
            }, 100) > 0) {
                // drain
            }
        }
        for (int i = 0; i < versions.size(); i++) {
            assertEquals(i + 1L, versions.get(i), "versions consecutive and unique: " + versions);
        }
        assertEquals(0, applier.rejected());
        assertEquals(b.version(), applier.appliedVersion());
        assertTrue(field.size() > 0 && wide.size() > 0);
        assertTrue(dense.size() >= 2, "dense snapshots published: " + dense);
        b.close();
        second.close();
        first.close();
        writerSide.close();
    }

    /**
     * The embedded trainer's path: constructed (and restored from its checkpoint) on one thread, run on
     * its own loop thread. Restoring seeks the tailers; the loop must still poll them, keep training and
     * publish.
     */
    @Test
    void aTrainerRestoredFromACheckpointKeepsTrainingOnItsOwnThread() throws Exception {
        Path topics = dir.resolve("topics");
        Path ckpt = dir.resolve("ckpt");
        AtomicLong clock = new AtomicLong();
        try (Transport writerSide = new ChronicleTransport(topics)) {
            StreamAppender imp = writerSide.appender(Topics.IMPRESSIONS);
            StreamAppender fb = writerSide.appender(Topics.FEEDBACK);
            appendRequests(imp, fb, 0, 100);
            try (Transport first = new ChronicleTransport(topics)) {
                Trainer a = trainer(first, ckpt, clock);
                for (int turn = 0; turn < 10; turn++) {
                    clock.addAndGet(1_000);
                    a.runOnce();
                }
                a.close();
                assertTrue(a.version() > 0, "first run published");
            }
            long before;
            long samplesBefore;
            Trainer b;
            try (Transport second = new ChronicleTransport(topics)) {
                // Each reading of this clock, one per loop turn, advances it a second: the turns are the same as
                // a test thread's calls to runOnce would be, on whatever thread calls.
                b = trainer(second, ckpt, () -> clock.addAndGet(1_000)); // restores and seeks here, on the test thread
                before = b.version();
                samplesBefore = b.learner().samplesSeen();
                appendRequests(imp, fb, 100, 200);
                b.start();
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (b.version() < before + 3 && System.nanoTime() < deadline) { // 3 publishing turns poll >= 120 records
                    LockSupport.parkNanos(1_000_000);
                }
                b.close(); // joins the loop thread: its state is safe to read below
            }
            assertTrue(b.version() >= before + 3, "restored trainer published from its loop thread: v" + before + " -> v" + b.version());
            assertEquals(200, b.joinStats().impressions(), "read every new impression on its own thread");
            assertTrue(b.learner().samplesSeen() > samplesBefore, "trained on the new ones");
        }
    }

    /**
     * The streams directory wiped while the checkpoint was kept (the server then refused to start:
     * "topic impressions: no record at position ..."): the trainer starts, reads the new streams from their
     * start, keeps numbering after its checkpoint, and its first delta carries every row, so a replica
     * replaying the new delta topic from scratch gets the whole model.
     */
    @Test
    void aCheckpointFromBeforeTheStreamsWereWipedResumesFromTheStartOfTheNewStreams() throws Exception {
        Path topics = dir.resolve("topics");
        Path ckpt = dir.resolve("ckpt");
        AtomicLong clock = new AtomicLong();
        long checkpointed;
        try (Transport first = new ChronicleTransport(topics)) {
            appendRequests(first.appender(Topics.IMPRESSIONS), first.appender(Topics.FEEDBACK), 0, 100);
            Trainer a = trainer(first, ckpt, clock);
            for (int turn = 0; turn < 10; turn++) {
                clock.addAndGet(1_000);
                a.runOnce();
            }
            a.close();
            checkpointed = a.version();
            assertTrue(checkpointed > 0, "first run published");
        }
        deleteTree(topics);

        try (Transport second = new ChronicleTransport(topics)) {
            // Fewer records than before: the checkpoint's positions are past the end of the new queues.
            appendRequests(second.appender(Topics.IMPRESSIONS), second.appender(Topics.FEEDBACK), 1_000, 1_040);
            Trainer b = trainer(second, ckpt, clock);
            assertEquals(checkpointed, b.version(), "numbering continues after the checkpoint's version");
            for (int turn = 0; turn < 20; turn++) {
                clock.addAndGet(1_000);
                b.runOnce();
            }
            b.close();
            assertEquals(100 + 40, b.joinStats().impressions(), "every impression of the new stream was read");
            assertTrue(b.version() > checkpointed, "published on the new stream: v" + b.version());

            EmbeddingTable field = EmbeddingTable.builder(CtrShape.FIELD_TABLE, 3).build();
            EmbeddingTable wide = EmbeddingTable.builder(CtrShape.WIDE_TABLE, 1).build();
            List<ModelDelta> read = new ArrayList<>();
            DeltaApplier cold = new DeltaApplier("ctr", Map.of("field", field, "wide", wide), d -> { }, clock::get);
            try (StreamTailer t = second.tailer(Topics.MODEL_DELTAS, "cold-replica")) {
                while (t.poll((pos, buf) -> {
                    read.add(ModelDelta.decode(buf.duplicate()));
                    assertEquals(DeltaApplier.Outcome.APPLIED, cold.apply(buf));
                }, 100) > 0) {
                    // drain
                }
            }
            ModelDelta firstDelta = read.get(0);
            assertEquals(checkpointed + 1, firstDelta.version());
            assertEquals(ModelDelta.Kind.DENSE, firstDelta.kind(), "the first delta is a full snapshot");
            assertTrue(firstDelta.base(), "and flagged as a base");
            assertEquals(0, cold.versionsMissed(), "a replica starting at a base missed nothing before it");
            assertEquals(b.learner().fieldRows(), field.size(), "a cold replica has every row the trainer learned");
            assertEquals(b.learner().wideRows(), wide.size());
            assertEquals(b.version(), cold.appliedVersion());
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    static void appendRequests(StreamAppender imp, StreamAppender fb, int from, int to) {
        for (int q = from; q < to; q++) {
            long ts = q * 100L;
            List<ImpressionLog.Served> served = List.of(
                    new ImpressionLog.Served(1 + q % 7, 0, 0.1f, new long[]{q % 20, 1 + q % 7}, new long[]{q % 20, 1 + q % 7, 9},
                            new float[]{0.5f}, new float[]{1, 0, 0, 0}));
            imp.append(new ImpressionLog("q" + q, "u" + (q % 20), "home", "ctr", 0, "s", ts, new float[]{0, 1, 0, 0}, served).encode());
            if (q % 3 == 0) {
                fb.append(new Feedback("q" + q, "u" + (q % 20), 1 + q % 7, Feedback.Event.CLICK, ts + 50).encode());
            }
        }
        imp.flush();
        fb.flush();
    }

    private static boolean containsItem(List<ImpressionLog.Served> served, long item) {
        for (ImpressionLog.Served s : served) {
            if (s.itemId() == item) {
                return true;
            }
        }
        return false;
    }
}
