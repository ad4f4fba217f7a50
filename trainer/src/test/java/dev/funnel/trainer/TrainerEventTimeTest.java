package dev.funnel.trainer;

import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One record stamped far in the future (epoch microseconds read as milliseconds) must not become the
 * trainer's event time: that made every later impression late and expired every learned row, and the
 * checkpoint kept it.
 */
class TrainerEventTimeTest {

    /** 2026-11-27 in epoch ms; the clock of the trainers below. */
    static final long NOW = 1_795_805_171_548L;
    static final long MICROS = 1_795_805_171_548_340L;

    @TempDir
    Path dir;

    @Test
    void aFarFutureRecordIsDroppedAndCountedAndLearningGoesOn() {
        AtomicLong clock = new AtomicLong(NOW);
        try (Transport t = new ChronicleTransport(dir.resolve("topics"))) {
            StreamAppender imp = t.appender(Topics.IMPRESSIONS);
            StreamAppender fb = t.appender(Topics.FEEDBACK);
            Trainer trainer = TrainerRestartTest.trainer(t, dir.resolve("ckpt"), clock);
            append(imp, fb, 0, 50, NOW);
            fb.append(new Feedback("q3", "u3", 1, Feedback.Event.CLICK, MICROS).encode());
            imp.append(request(999, MICROS).encode());
            append(imp, fb, 50, 100, NOW);
            run(trainer, clock, 30);

            assertEquals(100, trainer.joinStats().impressions(), "the bogus impression never reached the join");
            assertEquals(0, trainer.joinStats().lateImpressions(), "event time stayed with the clock");
            assertEquals(100, trainer.joinStats().positives() + trainer.joinStats().negatives(), "every real item labelled once");
            assertEquals(100, trainer.learner().samplesSeen());
            assertTrue(trainer.learner().fieldRows() > 0 && trainer.learner().wideRows() > 0, "learned rows were not expired");
            assertEquals(2, trainer.futureRecords(), "the impression and the feedback from the future");
            trainer.close();
        }
    }

    /** A checkpoint written while a bad timestamp was event time is brought back to the clock on restore. */
    @Test
    void aCheckpointWithEventTimeFromTheFutureIsRepairedOnRestore() {
        try (Transport t = new ChronicleTransport(dir.resolve("topics"))) {
            StreamAppender imp = t.appender(Topics.IMPRESSIONS);
            StreamAppender fb = t.appender(Topics.FEEDBACK);
            // A trainer whose clock was far ahead took the bad timestamp as event time and checkpointed it.
            AtomicLong future = new AtomicLong(MICROS);
            Trainer before = TrainerRestartTest.trainer(t, dir.resolve("ckpt"), future);
            imp.append(request(999, MICROS).encode());
            run(before, future, 5);
            before.close();

            AtomicLong clock = new AtomicLong(NOW);
            Trainer after = TrainerRestartTest.trainer(t, dir.resolve("ckpt"), clock);
            long lateBefore = after.joinStats().lateImpressions();
            long samplesBefore = after.learner().samplesSeen();
            append(imp, fb, 0, 50, NOW);
            run(after, clock, 30);
            assertEquals(lateBefore, after.joinStats().lateImpressions(), "new impressions are on time again");
            assertEquals(50, after.learner().samplesSeen() - samplesBefore, "every new item learned");
            after.close();
        }
    }

    private static void run(Trainer trainer, AtomicLong clock, int turns) {
        for (int i = 0; i < turns; i++) {
            clock.addAndGet(1_000);
            trainer.runOnce();
        }
    }

    private static ImpressionLog request(int q, long ts) {
        long item = 1 + q % 7;
        return new ImpressionLog("q" + q, "u" + (q % 20), "home", "ctr", 0, "s", ts, new float[]{0, 1, 0, 0},
                List.of(new ImpressionLog.Served(item, 0, 0.1f, new long[]{q % 20, item}, new long[]{q % 20, item, 9},
                        new float[]{0.5f}, new float[]{1, 0, 0, 0})));
    }

    private static void append(StreamAppender imp, StreamAppender fb, int from, int to, long baseMillis) {
        for (int q = from; q < to; q++) {
            long ts = baseMillis + q * 100L;
            imp.append(request(q, ts).encode());
            if (q % 3 == 0) {
                fb.append(new Feedback("q" + q, "u" + (q % 20), 1 + q % 7, Feedback.Event.CLICK, ts + 50).encode());
            }
        }
        imp.flush();
        fb.flush();
    }
}
